using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recurrent.Kernels.Simd;

/// <summary>
/// In-register 16×16 float transposes with AVX-512, used by <see cref="GemmPacking"/> to pack row-major op(A)
/// and transposed op(B), whose scalar packing costs a cycle or more per element.
/// </summary>
/// <remarks>
/// Lane layout: input vector i holds row i (16 floats); output vector j holds column j, i.e. lane i of output j
/// is lane j of input i. Three shuffle stages (unpack of float pairs, unpack of double pairs, two 128-bit lane
/// shuffles) make 64 shuffles per 256 elements. Callers check <see cref="IsSupported"/> and keep a scalar path.
/// </remarks>
internal static unsafe class TransposeSimd
{
    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>
    /// Loads <paramref name="rows"/> ≤ 16 source rows of 16 floats (row i at <c>src + i·srcStride</c>) into
    /// r0..r15; rows from <paramref name="rows"/> on are zero and not read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load16(float* src, nint srcStride, int rows,
        out Vector512<float> r0, out Vector512<float> r1, out Vector512<float> r2, out Vector512<float> r3,
        out Vector512<float> r4, out Vector512<float> r5, out Vector512<float> r6, out Vector512<float> r7,
        out Vector512<float> r8, out Vector512<float> r9, out Vector512<float> r10, out Vector512<float> r11,
        out Vector512<float> r12, out Vector512<float> r13, out Vector512<float> r14, out Vector512<float> r15)
    {
        Vector512<float> z = Vector512<float>.Zero;
        r0 = rows > 0 ? Vector512.Load(src) : z;
        r1 = rows > 1 ? Vector512.Load(src + srcStride) : z;
        r2 = rows > 2 ? Vector512.Load(src + 2 * srcStride) : z;
        r3 = rows > 3 ? Vector512.Load(src + 3 * srcStride) : z;
        r4 = rows > 4 ? Vector512.Load(src + 4 * srcStride) : z;
        r5 = rows > 5 ? Vector512.Load(src + 5 * srcStride) : z;
        r6 = rows > 6 ? Vector512.Load(src + 6 * srcStride) : z;
        r7 = rows > 7 ? Vector512.Load(src + 7 * srcStride) : z;
        r8 = rows > 8 ? Vector512.Load(src + 8 * srcStride) : z;
        r9 = rows > 9 ? Vector512.Load(src + 9 * srcStride) : z;
        r10 = rows > 10 ? Vector512.Load(src + 10 * srcStride) : z;
        r11 = rows > 11 ? Vector512.Load(src + 11 * srcStride) : z;
        r12 = rows > 12 ? Vector512.Load(src + 12 * srcStride) : z;
        r13 = rows > 13 ? Vector512.Load(src + 13 * srcStride) : z;
        r14 = rows > 14 ? Vector512.Load(src + 14 * srcStride) : z;
        r15 = rows > 15 ? Vector512.Load(src + 15 * srcStride) : z;
    }

    /// <summary>Transposes the 16×16 block held in r0..r15 in place (row i becomes column i).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose(
        ref Vector512<float> r0, ref Vector512<float> r1, ref Vector512<float> r2, ref Vector512<float> r3,
        ref Vector512<float> r4, ref Vector512<float> r5, ref Vector512<float> r6, ref Vector512<float> r7,
        ref Vector512<float> r8, ref Vector512<float> r9, ref Vector512<float> r10, ref Vector512<float> r11,
        ref Vector512<float> r12, ref Vector512<float> r13, ref Vector512<float> r14, ref Vector512<float> r15)
    {
        // Stage 1, per 128-bit lane k: t(2i) = a(4k) b(4k) a(4k+1) b(4k+1), t(2i+1) = a(4k+2) b(4k+2) a(4k+3) b(4k+3).
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1);
        Vector512<float> t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<float> t4 = Avx512F.UnpackLow(r4, r5), t5 = Avx512F.UnpackHigh(r4, r5);
        Vector512<float> t6 = Avx512F.UnpackLow(r6, r7), t7 = Avx512F.UnpackHigh(r6, r7);
        Vector512<float> t8 = Avx512F.UnpackLow(r8, r9), t9 = Avx512F.UnpackHigh(r8, r9);
        Vector512<float> t10 = Avx512F.UnpackLow(r10, r11), t11 = Avx512F.UnpackHigh(r10, r11);
        Vector512<float> t12 = Avx512F.UnpackLow(r12, r13), t13 = Avx512F.UnpackHigh(r12, r13);
        Vector512<float> t14 = Avx512F.UnpackLow(r14, r15), t15 = Avx512F.UnpackHigh(r14, r15);

        // Stage 2: four rows per lane, columns 4k+0..3 of rows (0-3), (4-7), (8-11), (12-15).
        r0 = LowPairs(t0, t2); r1 = HighPairs(t0, t2); r2 = LowPairs(t1, t3); r3 = HighPairs(t1, t3);
        r4 = LowPairs(t4, t6); r5 = HighPairs(t4, t6); r6 = LowPairs(t5, t7); r7 = HighPairs(t5, t7);
        r8 = LowPairs(t8, t10); r9 = HighPairs(t8, t10); r10 = LowPairs(t9, t11); r11 = HighPairs(t9, t11);
        r12 = LowPairs(t12, t14); r13 = HighPairs(t12, t14); r14 = LowPairs(t13, t15); r15 = HighPairs(t13, t15);

        // Stage 3: gather the 128-bit lanes. 0x88 takes lanes 0, 2 of each source; 0xDD lanes 1, 3.
        t0 = Avx512F.Shuffle4x128(r0, r4, 0x88); t1 = Avx512F.Shuffle4x128(r1, r5, 0x88);
        t2 = Avx512F.Shuffle4x128(r2, r6, 0x88); t3 = Avx512F.Shuffle4x128(r3, r7, 0x88);
        t4 = Avx512F.Shuffle4x128(r0, r4, 0xDD); t5 = Avx512F.Shuffle4x128(r1, r5, 0xDD);
        t6 = Avx512F.Shuffle4x128(r2, r6, 0xDD); t7 = Avx512F.Shuffle4x128(r3, r7, 0xDD);
        t8 = Avx512F.Shuffle4x128(r8, r12, 0x88); t9 = Avx512F.Shuffle4x128(r9, r13, 0x88);
        t10 = Avx512F.Shuffle4x128(r10, r14, 0x88); t11 = Avx512F.Shuffle4x128(r11, r15, 0x88);
        t12 = Avx512F.Shuffle4x128(r8, r12, 0xDD); t13 = Avx512F.Shuffle4x128(r9, r13, 0xDD);
        t14 = Avx512F.Shuffle4x128(r10, r14, 0xDD); t15 = Avx512F.Shuffle4x128(r11, r15, 0xDD);

        r0 = Avx512F.Shuffle4x128(t0, t8, 0x88); r1 = Avx512F.Shuffle4x128(t1, t9, 0x88);
        r2 = Avx512F.Shuffle4x128(t2, t10, 0x88); r3 = Avx512F.Shuffle4x128(t3, t11, 0x88);
        r4 = Avx512F.Shuffle4x128(t4, t12, 0x88); r5 = Avx512F.Shuffle4x128(t5, t13, 0x88);
        r6 = Avx512F.Shuffle4x128(t6, t14, 0x88); r7 = Avx512F.Shuffle4x128(t7, t15, 0x88);
        r8 = Avx512F.Shuffle4x128(t0, t8, 0xDD); r9 = Avx512F.Shuffle4x128(t1, t9, 0xDD);
        r10 = Avx512F.Shuffle4x128(t2, t10, 0xDD); r11 = Avx512F.Shuffle4x128(t3, t11, 0xDD);
        r12 = Avx512F.Shuffle4x128(t4, t12, 0xDD); r13 = Avx512F.Shuffle4x128(t5, t13, 0xDD);
        r14 = Avx512F.Shuffle4x128(t6, t14, 0xDD); r15 = Avx512F.Shuffle4x128(t7, t15, 0xDD);
    }

    /// <summary>
    /// dst[j·dstStride + i] = src[i·srcStride + j] for i &lt; 16, j &lt; 16: a full 16×16 block, each output row
    /// stored as one vector.
    /// </summary>
    public static void Block16(float* src, nint srcStride, float* dst, nint dstStride)
    {
        Load16(src, srcStride, 16, out var r0, out var r1, out var r2, out var r3, out var r4, out var r5, out var r6, out var r7,
            out var r8, out var r9, out var r10, out var r11, out var r12, out var r13, out var r14, out var r15);
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, ref r8, ref r9, ref r10, ref r11, ref r12, ref r13, ref r14, ref r15);
        r0.Store(dst); r1.Store(dst + dstStride); r2.Store(dst + 2 * dstStride); r3.Store(dst + 3 * dstStride);
        r4.Store(dst + 4 * dstStride); r5.Store(dst + 5 * dstStride); r6.Store(dst + 6 * dstStride); r7.Store(dst + 7 * dstStride);
        r8.Store(dst + 8 * dstStride); r9.Store(dst + 9 * dstStride); r10.Store(dst + 10 * dstStride); r11.Store(dst + 11 * dstStride);
        r12.Store(dst + 12 * dstStride); r13.Store(dst + 13 * dstStride); r14.Store(dst + 14 * dstStride); r15.Store(dst + 15 * dstStride);
    }

    /// <summary>
    /// The packing of a strip of <paramref name="rows"/> ≤ 10 rows of row-major A over 16 depth steps:
    /// dst[p·10 + i] = src[i·srcStride + p] for p &lt; 16, with zeros for i in [rows, 10).
    /// The 160 outputs are contiguous, so each output row is stored as a full vector that the next one
    /// partly overwrites; the last is stored as 8 + 2 floats so nothing past the 160 is touched.
    /// </summary>
    public static void Strip10x16(float* src, nint srcStride, int rows, float* dst)
    {
        Load16(src, srcStride, rows, out var r0, out var r1, out var r2, out var r3, out var r4, out var r5, out var r6, out var r7,
            out var r8, out var r9, out var r10, out var r11, out var r12, out var r13, out var r14, out var r15);
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, ref r8, ref r9, ref r10, ref r11, ref r12, ref r13, ref r14, ref r15);
        r0.Store(dst); r1.Store(dst + 10); r2.Store(dst + 20); r3.Store(dst + 30);
        r4.Store(dst + 40); r5.Store(dst + 50); r6.Store(dst + 60); r7.Store(dst + 70);
        r8.Store(dst + 80); r9.Store(dst + 90); r10.Store(dst + 100); r11.Store(dst + 110);
        r12.Store(dst + 120); r13.Store(dst + 130); r14.Store(dst + 140);
        r15.GetLower().Store(dst + 150);
        dst[158] = r15.GetElement(8);
        dst[159] = r15.GetElement(9);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> LowPairs(Vector512<float> a, Vector512<float> b)
        => Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> HighPairs(Vector512<float> a, Vector512<float> b)
        => Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle();
}
