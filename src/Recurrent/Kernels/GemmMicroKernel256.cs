using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recurrent.Kernels;

/// <summary>The AVX2/FMA GEMM micro-kernel for CPUs without AVX-512: the same 10×32 tile and packed format.</summary>
/// <remarks>
/// With only 16 ymm registers the 10×32 tile is computed as four 5×16 sub-tiles (rows 0–4 / 5–9 ×
/// columns 0–15 / 16–31). Each sub-tile keeps row r in two accumulators (8 columns each): 10 accumulators
/// + 2 B vectors + 1 broadcast = 13 registers. Each element still sees the same FMA sequence in
/// increasing p as in the AVX-512 and scalar kernels, so results are bit-identical across kernels.
/// </remarks>
internal static unsafe class GemmMicroKernel256
{
    public static bool IsSupported => Vector256.IsHardwareAccelerated && Fma.IsSupported;

    /// <summary>Same contract as <see cref="GemmMicroKernel512.Run"/>.</summary>
    public static void Run(int kc, float* a, float* b, nint bStride, float* c, nint ldc, float alpha, float beta)
    {
        for (int r0 = 0; r0 < GemmMicroKernel.MR; r0 += 5)
        {
            for (int j0 = 0; j0 < GemmMicroKernel.NR; j0 += 16)
            {
                SubTile(kc, a + r0, b + j0, bStride, c + r0 * ldc + j0, ldc, alpha, beta);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void SubTile(int kc, float* a, float* b, nint bStride, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default;
        Vector256<float> c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> av;
            av = Vector256.Create(a[0]); c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[1]); c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[2]); c20 = Fma.MultiplyAdd(av, b0, c20); c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[3]); c30 = Fma.MultiplyAdd(av, b0, c30); c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[4]); c40 = Fma.MultiplyAdd(av, b0, c40); c41 = Fma.MultiplyAdd(av, b1, c41);
            a += GemmMicroKernel.MR;
            b += bStride;
        }
        Vector256<float> alphaV = Vector256.Create(alpha);
        StoreRow(c + 0 * ldc, alphaV, beta, c00, c01);
        StoreRow(c + 1 * ldc, alphaV, beta, c10, c11);
        StoreRow(c + 2 * ldc, alphaV, beta, c20, c21);
        StoreRow(c + 3 * ldc, alphaV, beta, c30, c31);
        StoreRow(c + 4 * ldc, alphaV, beta, c40, c41);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector256<float> alpha, float beta, Vector256<float> x0, Vector256<float> x1)
    {
        if (beta == 0)
        {
            Vector256.Store(x0 * alpha, c);
            Vector256.Store(x1 * alpha, c + 8);
        }
        else if (beta == 1)
        {
            Vector256.Store(Fma.MultiplyAdd(x0, alpha, Vector256.Load(c)), c);
            Vector256.Store(Fma.MultiplyAdd(x1, alpha, Vector256.Load(c + 8)), c + 8);
        }
        else
        {
            Vector256<float> betaV = Vector256.Create(beta);
            Vector256.Store(Fma.MultiplyAdd(x0, alpha, Vector256.Load(c) * betaV), c);
            Vector256.Store(Fma.MultiplyAdd(x1, alpha, Vector256.Load(c + 8) * betaV), c + 8);
        }
    }
}
