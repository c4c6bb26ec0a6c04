using System.Numerics.Tensors;

namespace Recurrent.Kernels;

internal static partial class MathKernels
{
    /// <summary><c>x[i] = a · x[i]</c> in place (BLAS sscal).</summary>
    public static void Scale(float a, Span<float> x) => TensorPrimitives.Multiply(x, a, x);

    /// <summary><c>y[i] = a · x[i]</c>.</summary>
    public static void Scale(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        CheckSameLength(x.Length, y.Length);
        TensorPrimitives.Multiply(x, a, y);
    }
}
