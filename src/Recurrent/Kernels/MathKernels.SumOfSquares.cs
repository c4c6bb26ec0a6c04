using Recurrent.Kernels.Simd;

namespace Recurrent.Kernels;

internal static partial class MathKernels
{
    /// <summary><c>Σ_i x[i]²</c>, every square and partial sum in double.</summary>
    /// <remarks>
    /// Global-norm clipping adds millions of squares across parameters; a float accumulator would
    /// lose the small ones, and the square of a float above ≈ 1.8e19 would overflow. In double the
    /// result is exact to ≈ 1e-16 relative for any realistic length.
    /// </remarks>
    public static double SumOfSquares(ReadOnlySpan<float> x) => SumOfSquaresSimd.Compute(x);

    /// <summary>Euclidean norm <c>sqrt(Σ_i x[i]²)</c>, accumulated in double.</summary>
    public static double L2Norm(ReadOnlySpan<float> x) => Math.Sqrt(SumOfSquares(x));
}
