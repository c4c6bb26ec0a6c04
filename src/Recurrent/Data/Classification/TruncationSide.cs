namespace Recurrent.Data.Classification;

/// <summary>Which part of a document longer than the maximum length is kept.</summary>
public enum TruncationSide
{
    /// <summary>The first tokens.</summary>
    KeepStart,

    /// <summary>The last tokens (Python Machine Learning keeps the last 200 words of a review; Keras's default).</summary>
    KeepEnd,
}
