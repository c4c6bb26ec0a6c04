namespace Recurrent.Interop;

/// <summary>One input or output of an exported graph, for documentation and the CLI's summary.</summary>
/// <param name="Name">The graph's name for it.</param>
/// <param name="ElementType">int64, int32 or float.</param>
/// <param name="Shape">Its dimensions, symbolic ones by name, e.g. <c>[steps, batch]</c>.</param>
/// <param name="Description">What it holds.</param>
internal sealed record OnnxValueInfo(string Name, string ElementType, string Shape, string Description);
