using System.Numerics.Tensors;

namespace Recurrent.Kernels;

internal static partial class MathKernels
{
    /// <summary><c>y[i] = tanh(x[i]) = (e^(2x) − 1) / (e^(2x) + 1)</c>.</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckSameLength(x.Length, y.Length);
        if (x.IsEmpty) return; // TensorPrimitives rejects empty spans here
        TensorPrimitives.Tanh(x, y);
    }
}
