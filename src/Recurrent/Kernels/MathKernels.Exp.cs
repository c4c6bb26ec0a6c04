using System.Numerics.Tensors;

namespace Recurrent.Kernels;

internal static partial class MathKernels
{
    /// <summary><c>y[i] = e^(x[i])</c>; overflows to +∞ above ≈ 88.72, as float does.</summary>
    public static void Exp(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckSameLength(x.Length, y.Length);
        if (x.IsEmpty) return; // TensorPrimitives rejects empty spans here
        TensorPrimitives.Exp(x, y);
    }
}
