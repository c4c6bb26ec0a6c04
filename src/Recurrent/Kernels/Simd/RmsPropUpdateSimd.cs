using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Recurrent.Kernels.Simd;

/// <summary>
/// Fused RMSProp update of one parameter:
/// <c>ms = ρ·ms + (1−ρ)·g²; d = lr·g / sqrt(ms + ε)</c>; then with momentum <c>mom = μ·mom + d; θ −= mom</c>,
/// without (an empty momentum span) <c>θ −= d</c>.
/// </summary>
/// <remarks>
/// Same layout as <see cref="AdamUpdateSimd"/>: <see cref="Vector{T}"/> lanes hold consecutive elements (the loop is
/// memory-bound), and the tail runs a scalar loop with the same unfused operations in the same order.
/// </remarks>
internal static class RmsPropUpdateSimd
{
    public static void Apply(Span<float> theta, ReadOnlySpan<float> g, Span<float> ms, Span<float> mom,
        float decay, float momentum, float learningRate, float epsilon)
    {
        int n = theta.Length;
        bool hasMomentum = !mom.IsEmpty;
        if (g.Length != n || ms.Length != n || (hasMomentum && mom.Length != n)) throw new ArgumentException("RMSProp update spans differ in length.");
        ref float pt = ref MemoryMarshal.GetReference(theta);
        ref float pg = ref MemoryMarshal.GetReference(g);
        ref float ps = ref MemoryMarshal.GetReference(ms);
        ref float pm = ref MemoryMarshal.GetReference(mom);
        float c = 1 - decay;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var rho = new Vector<float>(decay);
            var vc = new Vector<float>(c);
            var mu = new Vector<float>(momentum);
            var lr = new Vector<float>(learningRate);
            var eps = new Vector<float>(epsilon);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> gi = Vector.LoadUnsafe(ref pg, (nuint)i);
                Vector<float> si = rho * Vector.LoadUnsafe(ref ps, (nuint)i) + vc * (gi * gi);
                Vector<float> d = lr * gi / Vector.SquareRoot(si + eps);
                si.StoreUnsafe(ref ps, (nuint)i);
                if (hasMomentum)
                {
                    d = mu * Vector.LoadUnsafe(ref pm, (nuint)i) + d;
                    d.StoreUnsafe(ref pm, (nuint)i);
                }
                (Vector.LoadUnsafe(ref pt, (nuint)i) - d).StoreUnsafe(ref pt, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float gi = Unsafe.Add(ref pg, i);
            float si = decay * Unsafe.Add(ref ps, i) + c * (gi * gi);
            float d = learningRate * gi / MathF.Sqrt(si + epsilon);
            Unsafe.Add(ref ps, i) = si;
            if (hasMomentum)
            {
                d = momentum * Unsafe.Add(ref pm, i) + d;
                Unsafe.Add(ref pm, i) = d;
            }
            Unsafe.Add(ref pt, i) -= d;
        }
    }
}
