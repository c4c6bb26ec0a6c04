using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Recurrent.Kernels.Simd;

namespace Recurrent.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the order the GEMM micro-kernels read them, absorbing the
/// transposes so that one micro-kernel serves nn, tn, nt and tt.
/// </summary>
/// <remarks>
/// <para>
/// A block of op(A) (rows i0..i0+mc, depth p0..p0+kc) becomes ⌈mc/MR⌉ strips of MR rows. Strip s holds
/// kc groups of MR floats: element (r, p) is at <c>s·kc·MR + p·MR + r</c>, i.e. for each depth step the
/// MR values the kernel broadcasts, one after the other.
/// </para>
/// <para>
/// A panel of op(B) (depth p0..p0+kc, columns j0..j0+nc) becomes ⌈nc/NR⌉ strips of NR columns. Strip s
/// holds kc rows of NR floats: element (p, j) is at <c>s·kc·NR + p·NR + j</c>, i.e. for each depth step
/// the NR values the kernel loads as vectors.
/// </para>
/// <para>
/// Tails: a last strip with fewer than MR rows (NR columns) is padded with zeros. The kernel then
/// computes a full MR×NR tile whose padded rows/columns are zero and are never written to C.
/// </para>
/// </remarks>
internal static unsafe class GemmPacking
{
    public const int MR = GemmMicroKernel.MR;
    public const int NR = GemmMicroKernel.NR;

    /// <summary>Packs op(A)[i0..i0+mc, p0..p0+kc] into MR-row strips at <paramref name="dst"/>.</summary>
    public static void PackA(bool transposeA, float* a, nint lda, int i0, int mc, int p0, int kc, float* dst)
    {
        for (int s = 0; s * MR < mc; s++)
        {
            int r0 = i0 + s * MR;
            int mr = Math.Min(MR, mc - s * MR);
            float* d = dst + (nint)s * kc * MR;
            if (transposeA)
            {
                // op(A)(i, p) = a[p·lda + i]: each depth step is a contiguous run of rows.
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + (p0 + p) * lda + r0;
                    float* dp = d + p * MR;
                    int r = 0;
                    for (; r < mr; r++) dp[r] = src[r];
                    for (; r < MR; r++) dp[r] = 0;
                }
            }
            else
            {
                // op(A)(i, p) = a[i·lda + p]: a transpose. With AVX-512, 16 depth steps at a time in registers
                // (MR = 10 rows padded to 16); the rest, or everything without it, one element at a time.
                int p = 0;
                float* src = a + r0 * lda + p0;
                if (TransposeSimd.IsSupported && MR == 10)
                {
                    for (; p + 16 <= kc; p += 16) TransposeSimd.Strip10x16(src + p, lda, mr, d + p * MR);
                }
                for (int r = 0; r < mr; r++)
                {
                    float* row = src + r * lda;
                    for (int q = p; q < kc; q++) d[q * MR + r] = row[q];
                }
                for (int r = mr; r < MR; r++)
                {
                    for (int q = p; q < kc; q++) d[q * MR + r] = 0;
                }
            }
        }
    }

    /// <summary>Packs op(B)[p0..p0+kc, j0..j0+nc] into NR-column strips at <paramref name="dst"/>.</summary>
    public static void PackB(bool transposeB, float* b, nint ldb, int p0, int kc, int j0, int nc, float* dst)
    {
        if (!transposeB)
        {
            // op(B)(p, j) = b[p·ldb + j]. Walk B row by row (depth outer) so reads stream through memory
            // instead of hopping ldb floats per step; each row scatters NR-float pieces to every strip.
            int full = nc / NR, tail = nc - full * NR;
            nint stripSize = (nint)kc * NR;
            for (int p = 0; p < kc; p++)
            {
                float* src = b + (p0 + p) * ldb + j0;
                float* d = dst + p * NR;
                for (int s = 0; s < full; s++) CopyRow(src + s * NR, d + s * stripSize);
                if (tail > 0)
                {
                    float* dp = d + full * stripSize;
                    float* sp = src + full * NR;
                    int c = 0;
                    for (; c < tail; c++) dp[c] = sp[c];
                    for (; c < NR; c++) dp[c] = 0;
                }
            }
            return;
        }

        for (int s = 0; s * NR < nc; s++)
        {
            int c0 = j0 + s * NR;
            int nr = Math.Min(NR, nc - s * NR);
            float* d = dst + (nint)s * kc * NR;
            // op(B)(p, j) = b[j·ldb + p]: a transpose. With AVX-512 and a full strip, 16×16 blocks in registers;
            // the remaining depth steps (or everything otherwise) read each column of op(B) contiguously and
            // write with stride NR.
            int start = 0;
            if (TransposeSimd.IsSupported && nr == NR)
            {
                float* src = b + c0 * ldb + p0;
                for (; start + 16 <= kc; start += 16)
                {
                    for (int half = 0; half < NR; half += 16)
                        TransposeSimd.Block16(src + half * ldb + start, ldb, d + start * NR + half, NR);
                }
            }
            for (int c = 0; c < nr; c++)
            {
                float* src = b + (c0 + c) * ldb + p0;
                for (int p = start; p < kc; p++) d[p * NR + c] = src[p];
            }
            for (int c = nr; c < NR; c++)
            {
                for (int p = 0; p < kc; p++) d[p * NR + c] = 0;
            }
        }
    }

    /// <summary>Copies NR = 32 floats: two 512-bit moves, else four 256-bit moves (correct, if slower, where neither is accelerated).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRow(float* src, float* dst)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512.Store(Vector512.Load(src), dst);
            Vector512.Store(Vector512.Load(src + 16), dst + 16);
            return;
        }
        Vector256.Store(Vector256.Load(src), dst);
        Vector256.Store(Vector256.Load(src + 8), dst + 8);
        Vector256.Store(Vector256.Load(src + 16), dst + 16);
        Vector256.Store(Vector256.Load(src + 24), dst + 24);
    }
}
