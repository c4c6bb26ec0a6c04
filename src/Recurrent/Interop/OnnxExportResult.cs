namespace Recurrent.Interop;

/// <summary>What <see cref="OnnxExport"/> wrote: the graph's inputs and outputs and the file's size.</summary>
internal sealed record OnnxExportResult(IReadOnlyList<OnnxValueInfo> Inputs, IReadOnlyList<OnnxValueInfo> Outputs, long Bytes);
