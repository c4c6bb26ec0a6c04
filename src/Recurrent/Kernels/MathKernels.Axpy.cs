using System.Numerics.Tensors;

namespace Recurrent.Kernels;

internal static partial class MathKernels
{
    /// <summary><c>y[i] += a · x[i]</c> (BLAS saxpy), fused multiply-add where the hardware has it.</summary>
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        CheckSameLength(x.Length, y.Length);
        TensorPrimitives.MultiplyAdd(x, a, y, y);
    }
}
