using System.Numerics.Tensors;

namespace Recurrent.Kernels;

internal static partial class MathKernels
{
    /// <summary>
    /// Row-wise softmax of a row-major [<paramref name="rows"/>, <paramref name="columns"/>] matrix:
    /// <c>y[r, j] = e^(x[r, j] − m_r) / Σ_k e^(x[r, k] − m_r)</c> with <c>m_r = max_k x[r, k]</c>.
    /// </summary>
    /// <remarks>
    /// Subtracting the row maximum makes every exponent ≤ 0, so large logits cannot overflow
    /// (TensorPrimitives.SoftMax does not do this and returns NaN for logits above ≈ 88).
    /// <paramref name="y"/> may alias <paramref name="x"/>.
    /// </remarks>
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y, int rows, int columns)
    {
        CheckMatrix(x.Length, rows, columns, nameof(x));
        CheckMatrix(y.Length, rows, columns, nameof(y));
        if (columns == 0) return;
        for (int r = 0; r < rows; r++)
            SoftmaxRow(x.Slice(r * columns, columns), y.Slice(r * columns, columns));
    }

    /// <summary>Softmax of one non-empty row; see <see cref="Softmax"/>.</summary>
    internal static void SoftmaxRow(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        TensorPrimitives.Exp(y, y);
        // The maximum contributes e^0 = 1, so the sum is ≥ 1 and the division is safe.
        float sum = TensorPrimitives.Sum(y);
        TensorPrimitives.Multiply(y, 1f / sum, y);
    }
}
