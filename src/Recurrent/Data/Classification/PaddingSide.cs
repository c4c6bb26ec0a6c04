namespace Recurrent.Data.Classification;

/// <summary>Where the padding of a shorter sequence goes in a batch.</summary>
public enum PaddingSide
{
    /// <summary>After the sequence: its tokens are steps <c>0 .. length-1</c>; the model uses the lengths to ignore the rest.</summary>
    Right,

    /// <summary>Before the sequence: its tokens are the last <c>length</c> steps, so every sequence ends at the last step
    /// (Python Machine Learning's IMDb model, which runs every step and reads the last output).</summary>
    Left,
}
