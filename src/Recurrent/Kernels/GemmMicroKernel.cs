using System.Runtime.CompilerServices;

namespace Recurrent.Kernels;

/// <summary>Which micro-kernel a GEMM uses. <see cref="Auto"/> picks the widest the CPU accelerates.</summary>
internal enum GemmKernelKind
{
    Auto,
    Vector512,
    Vector256,
    Scalar,
}

/// <summary>
/// The register tile shared by all GEMM micro-kernels, the run-time choice between them, and the
/// handling of partial tiles at the edges of C.
/// </summary>
/// <remarks>
/// MR = 10 rows by NR = 32 columns: 20 zmm accumulators with AVX-512. Ten rows suit the batch sizes of
/// the recurrent models (20 is two full tiles) and the hidden sizes used in the benchmarks.
/// Every kernel accumulates each C element with FMAs in increasing depth order and scales it with the
/// same final operations, so the three kernels give bit-identical results.
/// </remarks>
internal static unsafe class GemmMicroKernel
{
    public const int MR = 10;
    public const int NR = 32;

    /// <summary>The kernel <see cref="GemmKernelKind.Auto"/> resolves to on this CPU.</summary>
    public static GemmKernelKind Best { get; } =
        GemmMicroKernel512.IsSupported ? GemmKernelKind.Vector512 :
        GemmMicroKernel256.IsSupported ? GemmKernelKind.Vector256 :
        GemmKernelKind.Scalar;

    /// <summary>Resolves <see cref="GemmKernelKind.Auto"/> and rejects kernels this CPU cannot run.</summary>
    public static GemmKernelKind Resolve(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Auto => Best,
        GemmKernelKind.Vector512 when !GemmMicroKernel512.IsSupported => throw new PlatformNotSupportedException("AVX-512 is not available."),
        GemmKernelKind.Vector256 when !GemmMicroKernel256.IsSupported => throw new PlatformNotSupportedException("AVX2/FMA is not available."),
        _ => kind,
    };

    /// <summary>
    /// Updates the mr×nr top-left part of an MR×NR tile of C:
    /// C = alpha · (packed A strip · B strip) + beta · C. A full tile goes straight to the kernel; a partial
    /// one (the bottom/right edges of C) is computed into a scratch tile and only its valid part is copied,
    /// so C's padding beyond n (up to ldc) and rows beyond m are never touched.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tile(GemmKernelKind kind, int kc, float* a, float* b, nint bStride, float* c, nint ldc, float alpha, float beta, int mr, int nr)
    {
        if (mr == MR && nr == NR) Run(kind, kc, a, b, bStride, c, ldc, alpha, beta);
        else EdgeTile(kind, kc, a, b, bStride, c, ldc, alpha, beta, mr, nr);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EdgeTile(GemmKernelKind kind, int kc, float* a, float* b, nint bStride, float* c, nint ldc, float alpha, float beta, int mr, int nr)
    {
        float* tile = stackalloc float[MR * NR];
        if (beta != 0)
        {
            for (int r = 0; r < mr; r++)
            {
                for (int j = 0; j < nr; j++) tile[r * NR + j] = c[r * ldc + j];
            }
        }
        // With beta = 0 the kernel never reads the scratch tile, so its old contents do not matter.
        Run(kind, kc, a, b, bStride, tile, NR, alpha, beta);
        for (int r = 0; r < mr; r++)
        {
            for (int j = 0; j < nr; j++) c[r * ldc + j] = tile[r * NR + j];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Run(GemmKernelKind kind, int kc, float* a, float* b, nint bStride, float* c, nint ldc, float alpha, float beta)
    {
        if (kind == GemmKernelKind.Vector512) GemmMicroKernel512.Run(kc, a, b, bStride, c, ldc, alpha, beta);
        else if (kind == GemmKernelKind.Vector256) GemmMicroKernel256.Run(kc, a, b, bStride, c, ldc, alpha, beta);
        else GemmMicroKernelScalar.Run(kc, a, b, bStride, c, ldc, alpha, beta);
    }
}

/// <summary>The portable micro-kernel: plain loops with <see cref="MathF.FusedMultiplyAdd"/>, the same arithmetic as the SIMD kernels.</summary>
internal static unsafe class GemmMicroKernelScalar
{
    /// <summary>Same contract as <see cref="GemmMicroKernel512.Run"/>.</summary>
    public static void Run(int kc, float* a, float* b, nint bStride, float* c, nint ldc, float alpha, float beta)
    {
        const int MR = GemmMicroKernel.MR, NR = GemmMicroKernel.NR;
        for (int r = 0; r < MR; r++)
        {
            for (int j = 0; j < NR; j++)
            {
                float sum = 0;
                for (int p = 0; p < kc; p++) sum = MathF.FusedMultiplyAdd(a[p * MR + r], b[p * bStride + j], sum);
                Store(ref c[r * ldc + j], sum, alpha, beta);
            }
        }
    }

    /// <summary>C = alpha·sum + beta·C, fused as the vector kernels do it; beta = 0 does not read C, beta = 1 skips the multiply.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ref float c, float sum, float alpha, float beta)
    {
        c = beta == 0 ? sum * alpha
            : beta == 1 ? MathF.FusedMultiplyAdd(sum, alpha, c)
            : MathF.FusedMultiplyAdd(sum, alpha, c * beta);
    }
}
