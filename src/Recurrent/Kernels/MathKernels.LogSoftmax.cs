using System.Numerics.Tensors;

namespace Recurrent.Kernels;

internal static partial class MathKernels
{
    /// <summary>
    /// Row-wise log-softmax of a row-major [<paramref name="rows"/>, <paramref name="columns"/>] matrix:
    /// <c>y[r, j] = (x[r, j] − m_r) − log Σ_k e^(x[r, k] − m_r)</c> with <c>m_r = max_k x[r, k]</c>.
    /// </summary>
    /// <remarks>
    /// The log-sum-exp is taken after subtracting the row maximum, so it neither overflows for large
    /// logits nor loses the small terms. <paramref name="y"/> may alias <paramref name="x"/>.
    /// </remarks>
    public static void LogSoftmax(ReadOnlySpan<float> x, Span<float> y, int rows, int columns)
    {
        CheckMatrix(x.Length, rows, columns, nameof(x));
        CheckMatrix(y.Length, rows, columns, nameof(y));
        if (columns == 0) return;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * columns, columns);
            Span<float> yr = y.Slice(r * columns, columns);
            float max = TensorPrimitives.Max(xr);
            double sum = SumExp(xr, max);
            // Subtract the maximum first: x − m is exact near the top of the row, where the large
            // probabilities are, whereas rounding m + log(sum) to float would cost up to ulp(m).
            TensorPrimitives.Subtract(xr, max, yr);
            TensorPrimitives.Subtract(yr, (float)Math.Log(sum), yr);
        }
    }
}
