namespace Recurrent.Interop;

/// <summary>How a language model is exported to ONNX (classifiers and taggers always read whole sequences).</summary>
public enum OnnxExportMode
{
    /// <summary>Whole sequences: tokens [steps, batch] and the state in; logits [steps, batch, vocab] and the state after the last step out.</summary>
    Sequence,

    /// <summary>One step: tokens [batch] and the state in; logits [batch, vocab] and the next state out (generation, streaming).</summary>
    Step,
}

/// <summary>One input or output of an exported graph, for documentation and the CLI's summary.</summary>
/// <param name="Name">The graph's name for it.</param>
/// <param name="ElementType">int64, int32 or float.</param>
/// <param name="Shape">Its dimensions, symbolic ones by name, e.g. <c>[steps, batch]</c>.</param>
/// <param name="Description">What it holds.</param>
public sealed record OnnxValueInfo(string Name, string ElementType, string Shape, string Description);

/// <summary>What <see cref="OnnxExport"/> wrote: the graph's inputs and outputs and the file's size.</summary>
public sealed record OnnxExportResult(IReadOnlyList<OnnxValueInfo> Inputs, IReadOnlyList<OnnxValueInfo> Outputs, long Bytes);
