using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recurrent.Embeddings;

/// <summary>
/// The vector kernels of embedding training: the dot product of two rows, and the fused update of one example's
/// output rows and input row. AVX-512 where the hardware has it, else AVX2 (Vector256), with a scalar tail.
/// </summary>
/// <remarks>
/// Rows are addressed as offsets from one reference into the shared weight array, so a training step touches the
/// weights in place without bounds checks or spans per row; callers check the offsets once.
/// </remarks>
internal static class EmbeddingKernels
{
    /// <summary><c>Σ a[i]·b[i]</c> over <paramref name="n"/> floats, with four independent accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ref float a, ref float b, int n)
    {
        int i = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            Vector512<float> s0 = Vector512<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
            for (; i <= n - 4 * Vector512<float>.Count; i += 4 * Vector512<float>.Count)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, (nuint)i), Vector512.LoadUnsafe(ref b, (nuint)i), s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, (nuint)(i + 16)), Vector512.LoadUnsafe(ref b, (nuint)(i + 16)), s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, (nuint)(i + 32)), Vector512.LoadUnsafe(ref b, (nuint)(i + 32)), s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, (nuint)(i + 48)), Vector512.LoadUnsafe(ref b, (nuint)(i + 48)), s3);
            }
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, (nuint)i), Vector512.LoadUnsafe(ref b, (nuint)i), s0);
            if (i <= n - Vector256<float>.Count)
            {
                Vector256<float> t = Vector256.LoadUnsafe(ref a, (nuint)i) * Vector256.LoadUnsafe(ref b, (nuint)i);
                s1 += Vector512.Create(t, Vector256<float>.Zero);
                i += Vector256<float>.Count;
            }
            sum = Vector512.Sum((s0 + s1) + (s2 + s3));
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
            for (; i <= n - 4 * Vector256<float>.Count; i += 4 * Vector256<float>.Count)
            {
                s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i), s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)(i + 8)), Vector256.LoadUnsafe(ref b, (nuint)(i + 8)), s1);
                s2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)(i + 16)), Vector256.LoadUnsafe(ref b, (nuint)(i + 16)), s2);
                s3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)(i + 24)), Vector256.LoadUnsafe(ref b, (nuint)(i + 24)), s3);
            }
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i), s0);
            sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        }
        for (; i < n; i++) sum += Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
        return sum;
    }

    /// <summary>
    /// For rows <c>o_j = output[rows[j] …]</c> and input <c>h</c>: <c>u = Σ_j g_j·o_j</c> and <c>o_j += g_j·h</c>,
    /// both from the values before the call, then <c>destination = u</c> (or <c>+= u</c> when
    /// <paramref name="accumulate"/>). The rows must be distinct and must not overlap <c>h</c>.
    /// </summary>
    /// <remarks>
    /// One pass over the dimension: each slice of <c>h</c> stays in a register while every row's slice is loaded once,
    /// added into <c>u</c> and updated, so <c>u</c> never goes through memory. With <paramref name="destination"/> =
    /// <c>h</c> and <paramref name="accumulate"/> the input row itself moves (skip-gram); the slice of <c>h</c> is
    /// read before it is written, so the rows see the old input.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Update(ref float h, ref float output, ReadOnlySpan<nint> rows, ReadOnlySpan<float> g, int n, ref float destination, bool accumulate)
    {
        int m = rows.Length;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                Vector512<float> hi = Vector512.LoadUnsafe(ref h, (nuint)i);
                Vector512<float> u = Vector512<float>.Zero;
                for (int j = 0; j < m; j++)
                {
                    ref float o = ref Unsafe.Add(ref output, rows[j] + i);
                    Vector512<float> oj = Vector512.LoadUnsafe(ref o);
                    Vector512<float> gj = Vector512.Create(g[j]);
                    u = Vector512.FusedMultiplyAdd(gj, oj, u);
                    Vector512.FusedMultiplyAdd(gj, hi, oj).StoreUnsafe(ref o);
                }
                if (accumulate) u += Vector512.LoadUnsafe(ref destination, (nuint)i);
                u.StoreUnsafe(ref destination, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> hi = Vector256.LoadUnsafe(ref h, (nuint)i);
                Vector256<float> u = Vector256<float>.Zero;
                for (int j = 0; j < m; j++)
                {
                    ref float o = ref Unsafe.Add(ref output, rows[j] + i);
                    Vector256<float> oj = Vector256.LoadUnsafe(ref o);
                    Vector256<float> gj = Vector256.Create(g[j]);
                    u = Vector256.FusedMultiplyAdd(gj, oj, u);
                    Vector256.FusedMultiplyAdd(gj, hi, oj).StoreUnsafe(ref o);
                }
                if (accumulate) u += Vector256.LoadUnsafe(ref destination, (nuint)i);
                u.StoreUnsafe(ref destination, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float hi = Unsafe.Add(ref h, i);
            float u = 0;
            for (int j = 0; j < m; j++)
            {
                ref float o = ref Unsafe.Add(ref output, rows[j] + i);
                float oj = o;
                u = MathF.FusedMultiplyAdd(g[j], oj, u);
                o = MathF.FusedMultiplyAdd(g[j], hi, oj);
            }
            if (accumulate) u += Unsafe.Add(ref destination, i);
            Unsafe.Add(ref destination, i) = u;
        }
    }

    /// <summary><c>y[i] += a·x[i]</c> over <paramref name="n"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float a, ref float x, ref float y, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> av = Vector512.Create(a);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                Vector512.FusedMultiplyAdd(av, Vector512.LoadUnsafe(ref x, (nuint)i), Vector512.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> av = Vector256.Create(a);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.FusedMultiplyAdd(av, Vector256.LoadUnsafe(ref x, (nuint)i), Vector256.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref y, i) = MathF.FusedMultiplyAdd(a, Unsafe.Add(ref x, i), Unsafe.Add(ref y, i));
    }

    /// <summary>Asks for the cache lines of <paramref name="n"/> floats from <paramref name="row"/> on (no-op without SSE).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch(ref float row, int n)
    {
        if (!Sse.IsSupported) return;
        // A prefetch never faults, so a stale address (had the GC moved the array meanwhile) would be harmless.
        float* p = (float*)Unsafe.AsPointer(ref row);
        for (int i = 0; i < n; i += 16) Sse.Prefetch0(p + i);
    }

    /// <summary>The logistic function <c>σ(x) = 1 / (1 + e^−x)</c>, computed exactly rather than from word2vec's table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
