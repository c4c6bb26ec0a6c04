using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recurrent.Kernels;

/// <summary>
/// The m = 1 case of <see cref="Gemm"/> with B not transposed: a row vector times a row-major matrix,
/// <c>c = alpha · x·B + beta · c</c> (one token through a projection, batch 1).
/// </summary>
/// <remarks>
/// <para>
/// The tiled path would run a 10-row micro-kernel for one row and walk B column strip by column strip with
/// a stride of ldb floats per depth step (a new page every step for a 10000-wide softmax layer). Here B is
/// streamed row by row instead: for a block of columns, <c>acc += x[p] · B[p, block]</c> for p in order.
/// </para>
/// <para>
/// The arithmetic is the tiled kernels', element for element: per depth block of <see cref="GemmDriver.DepthBlock"/>,
/// <c>sum = fma(x[p], B[p, j], sum)</c> from 0 in increasing p, then the same store rule
/// (<see cref="GemmMicroKernelScalar.Store"/>). So the result is bit-identical to the general path, for any
/// thread count and kernel kind. Columns are split across threads in blocks of <see cref="ColumnBlock"/>.
/// </para>
/// </remarks>
internal static unsafe class GemmRowVector
{
    /// <summary>Columns per block: the block's accumulators (4 KiB) stay in L1 while B's rows stream past.</summary>
    public const int ColumnBlock = 1024;

    /// <summary>c[j] = alpha · Σ_p x[p·incx] · b[p·ldb + j] + beta · c[j] for j &lt; n; k ≥ 1, alpha ≠ 0.</summary>
    public static void Run(int n, int k, float alpha, float* x, nint incx, float* b, nint ldb, float beta, float* c, int depthBlock, GemmKernelKind kind, int threads)
    {
        var job = new Job
        {
            N = n, K = k, Alpha = alpha, X = x, IncX = incx, B = b, Ldb = ldb, Beta = beta, C = c,
            DepthBlock = depthBlock, Kind = kind, Blocks = GemmDriver.CeilDiv(n, ColumnBlock),
        };
        // Worth a second thread only when there is enough of B to stream (a 200×10000 projection, not an LSTM step).
        int useful = (int)Math.Min(job.Blocks, (long)n * k / (256 * 1024) + 1);
        ComputeThreads.For(job.Blocks, Math.Min(threads, useful), job);
    }

    private struct Job : IParallelWork
    {
        public int N, K, DepthBlock, Blocks;
        public float Alpha, Beta;
        public float* X, B, C;
        public nint IncX, Ldb;
        public GemmKernelKind Kind;

        public readonly void Execute(int block)
        {
            int j0 = block * ColumnBlock, nb = Math.Min(ColumnBlock, N - j0);
            float* acc = stackalloc float[ColumnBlock];
            for (int pc = 0; pc < K; pc += DepthBlock)
            {
                int kc = Math.Min(DepthBlock, K - pc);
                new Span<float>(acc, nb).Clear();
                for (int p = pc; p < pc + kc; p++) Accumulate(X[p * IncX], B + p * Ldb + j0, acc, nb, Kind);
                // Later depth blocks add to what the first one stored, as in the tiled driver.
                float beta = pc == 0 ? Beta : 1;
                for (int j = 0; j < nb; j++) GemmMicroKernelScalar.Store(ref C[j0 + j], acc[j], Alpha, beta);
            }
        }
    }

    /// <summary>acc[j] = fma(a, row[j], acc[j]) for j &lt; n: 16 lanes with AVX-512, else 8, scalar tail; all round alike.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(float a, float* row, float* acc, int n, GemmKernelKind kind)
    {
        int j = 0;
        if (kind == GemmKernelKind.Vector512)
        {
            Vector512<float> av = Vector512.Create(a);
            for (; j + 16 <= n; j += 16)
                Vector512.Store(Vector512.FusedMultiplyAdd(av, Vector512.Load(row + j), Vector512.Load(acc + j)), acc + j);
        }
        else if (kind == GemmKernelKind.Vector256)
        {
            Vector256<float> av = Vector256.Create(a);
            for (; j + 8 <= n; j += 8)
                Vector256.Store(Vector256.FusedMultiplyAdd(av, Vector256.Load(row + j), Vector256.Load(acc + j)), acc + j);
        }
        for (; j < n; j++) acc[j] = MathF.FusedMultiplyAdd(a, row[j], acc[j]);
    }
}
