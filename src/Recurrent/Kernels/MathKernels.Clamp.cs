using System.Numerics.Tensors;

namespace Recurrent.Kernels;

internal static partial class MathKernels
{
    /// <summary><c>x[i] = min(max(x[i], low), high)</c> in place; NaN stays NaN.</summary>
    public static void Clamp(Span<float> x, float low, float high)
    {
        if (!(low <= high)) throw new ArgumentException($"Clamp bounds [{low}, {high}] are empty.");
        TensorPrimitives.Clamp(x, low, high, x);
    }
}
