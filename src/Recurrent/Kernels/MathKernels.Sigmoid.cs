using System.Numerics.Tensors;

namespace Recurrent.Kernels;

internal static partial class MathKernels
{
    /// <summary><c>y[i] = 1 / (1 + e^(−x[i]))</c>.</summary>
    /// <remarks>Saturates to exactly 0 or 1 for large |x| without producing NaN.</remarks>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckSameLength(x.Length, y.Length);
        if (x.IsEmpty) return; // TensorPrimitives rejects empty spans here
        TensorPrimitives.Sigmoid(x, y);
    }
}
