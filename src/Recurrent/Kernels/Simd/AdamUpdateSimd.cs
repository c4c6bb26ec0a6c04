using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Recurrent.Kernels.Simd;

/// <summary>
/// Fused Adam update of one parameter, one pass over four arrays:
/// <c>m = β₁·m + (1−β₁)·g; v = β₂·v + (1−β₂)·g²; θ −= stepSize · m / (sqrt(v) + ε)</c>.
/// </summary>
/// <remarks>
/// Uses <see cref="Vector{T}"/> (8 float lanes on AVX2 and, by default, on AVX-512 hardware): the loop streams
/// four arrays and does a handful of flops per element, so it is memory-bound and wider lanes gain nothing.
/// Lane i of a vector holds element (offset + i). Tail: the last fewer-than-one-vector elements run through
/// a scalar loop with the same unfused operations in the same order, so every element rounds identically
/// wherever it falls.
/// </remarks>
internal static class AdamUpdateSimd
{
    public static void Apply(Span<float> theta, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        float beta1, float beta2, float stepSize, float epsilon)
    {
        int n = theta.Length;
        if (g.Length != n || m.Length != n || v.Length != n) throw new ArgumentException("Adam update spans differ in length.");
        ref float pt = ref MemoryMarshal.GetReference(theta);
        ref float pg = ref MemoryMarshal.GetReference(g);
        ref float pm = ref MemoryMarshal.GetReference(m);
        ref float pv = ref MemoryMarshal.GetReference(v);
        float c1 = 1 - beta1, c2 = 1 - beta2;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var b1 = new Vector<float>(beta1);
            var b2 = new Vector<float>(beta2);
            var vc1 = new Vector<float>(c1);
            var vc2 = new Vector<float>(c2);
            var step = new Vector<float>(stepSize);
            var eps = new Vector<float>(epsilon);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> gi = Vector.LoadUnsafe(ref pg, (nuint)i);
                Vector<float> mi = b1 * Vector.LoadUnsafe(ref pm, (nuint)i) + vc1 * gi;
                Vector<float> vi = b2 * Vector.LoadUnsafe(ref pv, (nuint)i) + vc2 * (gi * gi);
                Vector<float> ti = Vector.LoadUnsafe(ref pt, (nuint)i) - step * mi / (Vector.SquareRoot(vi) + eps);
                mi.StoreUnsafe(ref pm, (nuint)i);
                vi.StoreUnsafe(ref pv, (nuint)i);
                ti.StoreUnsafe(ref pt, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float gi = Unsafe.Add(ref pg, i);
            float mi = beta1 * Unsafe.Add(ref pm, i) + c1 * gi;
            float vi = beta2 * Unsafe.Add(ref pv, i) + c2 * (gi * gi);
            Unsafe.Add(ref pm, i) = mi;
            Unsafe.Add(ref pv, i) = vi;
            Unsafe.Add(ref pt, i) -= stepSize * mi / (MathF.Sqrt(vi) + epsilon);
        }
    }
}
