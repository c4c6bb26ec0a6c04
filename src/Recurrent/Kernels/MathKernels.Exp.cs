using System.Numerics.Tensors;

namespace Recurrent.Kernels;

public static partial class MathKernels
{
    /// <summary><c>y[i] = e^(x[i])</c>; overflows to +∞ above ≈ 88.72, as float does.</summary>
    public static void Exp(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckSameLength(x.Length, y.Length);
        TensorPrimitives.Exp(x, y);
    }
}
