using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recurrent.Kernels.Simd;

/// <summary>Vectorised <c>Σ x[i]²</c> with double accumulation; the implementation of <see cref="MathKernels.SumOfSquares"/>.</summary>
/// <remarks>
/// Lane layout: each step loads one float vector (16 lanes with AVX-512, 8 with AVX2), widens its lower
/// and upper halves to two double vectors and adds their squares into two double accumulators
/// (fused multiply-add). Two steps are unrolled with independent accumulators so consecutive FMAs do not wait
/// on each other. At the end the accumulators are added and reduced across lanes.
/// Tail: the fewer-than-one-vector remainder is added by a scalar double loop, so no element is read twice
/// and no masked load is needed.
/// </remarks>
internal static class SumOfSquaresSimd
{
    public static double Compute(ReadOnlySpan<float> x)
    {
        ref float p = ref MemoryMarshal.GetReference(x);
        int n = x.Length;
        int i = 0;
        double sum = 0;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            Vector512<double> a0 = Vector512<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (; i <= n - 2 * Vector512<float>.Count; i += 2 * Vector512<float>.Count)
            {
                (Vector512<double> l0, Vector512<double> h0) = Vector512.Widen(Vector512.LoadUnsafe(ref p, (nuint)i));
                (Vector512<double> l1, Vector512<double> h1) = Vector512.Widen(Vector512.LoadUnsafe(ref p, (nuint)(i + Vector512<float>.Count)));
                a0 = Vector512.FusedMultiplyAdd(l0, l0, a0);
                a1 = Vector512.FusedMultiplyAdd(h0, h0, a1);
                a2 = Vector512.FusedMultiplyAdd(l1, l1, a2);
                a3 = Vector512.FusedMultiplyAdd(h1, h1, a3);
            }
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                (Vector512<double> l0, Vector512<double> h0) = Vector512.Widen(Vector512.LoadUnsafe(ref p, (nuint)i));
                a0 = Vector512.FusedMultiplyAdd(l0, l0, a0);
                a1 = Vector512.FusedMultiplyAdd(h0, h0, a1);
            }
            sum = Vector512.Sum((a0 + a1) + (a2 + a3));
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            Vector256<double> a0 = Vector256<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (; i <= n - 2 * Vector256<float>.Count; i += 2 * Vector256<float>.Count)
            {
                (Vector256<double> l0, Vector256<double> h0) = Vector256.Widen(Vector256.LoadUnsafe(ref p, (nuint)i));
                (Vector256<double> l1, Vector256<double> h1) = Vector256.Widen(Vector256.LoadUnsafe(ref p, (nuint)(i + Vector256<float>.Count)));
                a0 = Vector256.FusedMultiplyAdd(l0, l0, a0);
                a1 = Vector256.FusedMultiplyAdd(h0, h0, a1);
                a2 = Vector256.FusedMultiplyAdd(l1, l1, a2);
                a3 = Vector256.FusedMultiplyAdd(h1, h1, a3);
            }
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                (Vector256<double> l0, Vector256<double> h0) = Vector256.Widen(Vector256.LoadUnsafe(ref p, (nuint)i));
                a0 = Vector256.FusedMultiplyAdd(l0, l0, a0);
                a1 = Vector256.FusedMultiplyAdd(h0, h0, a1);
            }
            sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        for (; i < n; i++)
        {
            double v = Unsafe.Add(ref p, i);
            sum += v * v;
        }
        return sum;
    }
}
