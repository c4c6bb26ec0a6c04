namespace Recurrent.Kernels;

/// <summary>
/// Element-wise and reduction kernels on float spans, one operation per file
/// (<c>MathKernels.Sigmoid.cs</c>, <c>MathKernels.Softmax.cs</c>, ...), in the manner of
/// <see cref="System.Numerics.Tensors.TensorPrimitives"/>.
/// </summary>
/// <remarks>
/// Where TensorPrimitives has the operation we call it (it is vectorised and handles tails with
/// masked or overlapping vectors). What it lacks — a stable row-wise softmax, a double-accumulated
/// sum of squares, a fused sum of shifted exponentials — lives in <c>Kernels/Simd</c>, kept apart
/// from this API. Unless stated otherwise, destination may alias source (in-place use) and the
/// spans must have equal length.
/// </remarks>
internal static partial class MathKernels
{
    private static void CheckSameLength(int source, int destination)
    {
        if (source != destination)
            throw new ArgumentException($"Source length {source} and destination length {destination} differ.");
    }

    private static void CheckMatrix(int length, int rows, int columns, string name)
    {
        if (rows < 0 || columns < 0 || (long)rows * columns != length)
            throw new ArgumentException($"Span '{name}' of length {length} is not a [{rows}, {columns}] matrix.", name);
    }
}
