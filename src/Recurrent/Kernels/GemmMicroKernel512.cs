using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recurrent.Kernels;

/// <summary>The AVX-512 GEMM micro-kernel: one MR×NR = 10×32 tile of C in 20 zmm accumulators.</summary>
/// <remarks>
/// Lane layout: row r of the tile lives in two accumulators, c<i>r</i>0 (columns 0–15) and c<i>r</i>1
/// (columns 16–31). Each depth step loads the 32 floats of op(B)'s row from the packed strip into two zmm
/// registers, broadcasts each of the 10 values of op(A)'s column and issues 20 independent FMAs, enough
/// to cover the FMA latency on both pipes. 20 accumulators + 2 B vectors + 1 broadcast use 23 of the 32
/// zmm registers, so nothing spills. The kernel always computes a full tile; edges are handled by the
/// caller (<see cref="GemmMicroKernel.Tile"/>).
/// <para>
/// <see cref="Run"/> is never inlined. With tiered PGO, the multi-threaded path (the pool's loop calls the GEMM job
/// through a delegate) was devirtualized and inlined all the way down to this kernel inside one large method; the
/// non-inlined <see cref="StoreRow"/> calls then forced the 20 accumulators to the stack, a store and a reload per
/// FMA, and 2-thread GEMM ran at about a third of its speed (the 1-thread path, called directly, kept its own copy).
/// </para>
/// </remarks>
internal static unsafe class GemmMicroKernel512
{
    public static bool IsSupported => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <summary>
    /// C[r, j] = alpha · Σ_p a[p·MR + r] · b[p·bStride + j] + beta · C[r, j] for r &lt; 10, j &lt; 32
    /// (beta = 0: C's old values are not read). Products are accumulated with FMA in increasing p.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint bStride, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c00 = default, c01 = default;
        Vector512<float> c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default;
        Vector512<float> c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default;
        Vector512<float> c70 = default, c71 = default;
        Vector512<float> c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default;
        // The tile of C is needed only after the depth loop; start fetching its rows now (they are ldc apart,
        // which the hardware prefetcher does not follow) so the misses overlap the FMAs.
        for (int r = 0; r < GemmMicroKernel.MR; r++)
        {
            Sse.Prefetch0(c + r * ldc);
            Sse.Prefetch0(c + r * ldc + 16);
        }
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> av;
            av = Vector512.Create(a[0]); c00 = Avx512F.FusedMultiplyAdd(av, b0, c00); c01 = Avx512F.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1]); c10 = Avx512F.FusedMultiplyAdd(av, b0, c10); c11 = Avx512F.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2]); c20 = Avx512F.FusedMultiplyAdd(av, b0, c20); c21 = Avx512F.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3]); c30 = Avx512F.FusedMultiplyAdd(av, b0, c30); c31 = Avx512F.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a[4]); c40 = Avx512F.FusedMultiplyAdd(av, b0, c40); c41 = Avx512F.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a[5]); c50 = Avx512F.FusedMultiplyAdd(av, b0, c50); c51 = Avx512F.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(a[6]); c60 = Avx512F.FusedMultiplyAdd(av, b0, c60); c61 = Avx512F.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(a[7]); c70 = Avx512F.FusedMultiplyAdd(av, b0, c70); c71 = Avx512F.FusedMultiplyAdd(av, b1, c71);
            av = Vector512.Create(a[8]); c80 = Avx512F.FusedMultiplyAdd(av, b0, c80); c81 = Avx512F.FusedMultiplyAdd(av, b1, c81);
            av = Vector512.Create(a[9]); c90 = Avx512F.FusedMultiplyAdd(av, b0, c90); c91 = Avx512F.FusedMultiplyAdd(av, b1, c91);
            a += GemmMicroKernel.MR;
            b += bStride;
        }
        Vector512<float> alphaV = Vector512.Create(alpha);
        StoreRow(c + 0 * ldc, alphaV, beta, c00, c01);
        StoreRow(c + 1 * ldc, alphaV, beta, c10, c11);
        StoreRow(c + 2 * ldc, alphaV, beta, c20, c21);
        StoreRow(c + 3 * ldc, alphaV, beta, c30, c31);
        StoreRow(c + 4 * ldc, alphaV, beta, c40, c41);
        StoreRow(c + 5 * ldc, alphaV, beta, c50, c51);
        StoreRow(c + 6 * ldc, alphaV, beta, c60, c61);
        StoreRow(c + 7 * ldc, alphaV, beta, c70, c71);
        StoreRow(c + 8 * ldc, alphaV, beta, c80, c81);
        StoreRow(c + 9 * ldc, alphaV, beta, c90, c91);
    }

    /// <summary>Writes one tile row; the same operation order as <see cref="GemmMicroKernelScalar.Store"/>, so all kernels agree bit for bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector512<float> alpha, float beta, Vector512<float> x0, Vector512<float> x1)
    {
        if (beta == 0)
        {
            Vector512.Store(x0 * alpha, c);
            Vector512.Store(x1 * alpha, c + 16);
        }
        else if (beta == 1)
        {
            Vector512.Store(Avx512F.FusedMultiplyAdd(x0, alpha, Vector512.Load(c)), c);
            Vector512.Store(Avx512F.FusedMultiplyAdd(x1, alpha, Vector512.Load(c + 16)), c + 16);
        }
        else
        {
            Vector512<float> betaV = Vector512.Create(beta);
            Vector512.Store(Avx512F.FusedMultiplyAdd(x0, alpha, Vector512.Load(c) * betaV), c);
            Vector512.Store(Avx512F.FusedMultiplyAdd(x1, alpha, Vector512.Load(c + 16) * betaV), c + 16);
        }
    }
}
