using System.Runtime.CompilerServices;

namespace Recurrent.Kernels;

/// <summary>
/// The cache-blocked GEMM loops (BLIS/GotoBLAS order) and their split across threads.
/// </summary>
/// <remarks>
/// <para>
/// Loop nest, outermost first: columns of C in blocks of ≤ NC (the packed op(B) panel, kc×nc ≤ 4 MiB, lives in
/// L2/L3); depth in blocks of ≤ KC; rows in blocks of ≤ MC (the packed mc×kc block of op(A), ≤ 480 KiB, stays in
/// the 1 MiB L2); then NR-column strips of B, MR-row strips of A, and the micro-kernel. One kc×NR strip of op(B)
/// (up to 64 KiB) meets every strip of A; from L1 or L2 it needs 128 bytes per 20 FMAs, far below L2 bandwidth.
/// KC = 512 rather than the L1-sized 256 because every extra depth block reads and writes all of C once more:
/// for the softmax layer's weight gradient (k = 400, C 200×10000) that traffic cost more than the L1 misses.
/// </para>
/// <para>
/// Depth blocking depends only on k (<see cref="DepthBlock"/>), never on the thread count or the operand
/// layout, and threads split C by rows or by columns, never by depth. Every element of C therefore sees the
/// same sequence of floating-point operations whatever the thread count, transposes or packing: results are
/// bit-identical.
/// </para>
/// <para>
/// When op(B) is B itself (not transposed) and a thread's rows fit in a few tiles (m ≤ 40, e.g. an LSTM
/// step with batch 20), each B element is used by so few rows that packing it costs more than it saves:
/// the kernel then reads B's rows in place with stride ldb, and only the last, partial NR strip is packed
/// (zero-padded) so the kernel never reads past column n.
/// </para>
/// </remarks>
internal static unsafe class GemmDriver
{
    public const int MR = GemmMicroKernel.MR;
    public const int NR = GemmMicroKernel.NR;
    public const int KC = 512;
    public const int MC = 48 * MR;
    public const int NC = 128 * NR;

    /// <summary>Floats in one packed mc×kc block of op(A): 480 KiB, so it stays in the 1 MiB L2 beside the B strips.</summary>
    public const int ABlockFloats = 120 * 1024;

    /// <summary>Floats in one packed kc×nc panel of op(B): 4 MiB.</summary>
    public const int BPanelFloats = 1024 * 1024;

    /// <summary>Largest row block for depth blocks of <paramref name="kc"/>: ≤ MC rows, ≤ <see cref="ABlockFloats"/> once packed.</summary>
    public static int RowBlockMax(int kc) => Math.Clamp(ABlockFloats / kc / MR * MR, MR, MC);

    /// <summary>Largest column block for depth blocks of <paramref name="kc"/>: ≤ NC columns, ≤ <see cref="BPanelFloats"/> once packed.</summary>
    public static int ColumnBlockMax(int kc) => Math.Clamp(BPanelFloats / kc / NR * NR, NR, NC);

    /// <summary>Rows per thread up to which B is read in place rather than packed (see remarks).</summary>
    public const int DirectBMaxRows = 4 * MR;

    /// <summary>Below this much work per thread (in flops) another thread costs more than it saves.</summary>
    public const double MinFlopsPerThread = 1e6;

    /// <summary>Relative cost of packing one element, in multiply-adds of one output element (scalar packing at
    /// about one element per cycle against 32 multiply-adds per cycle).</summary>
    private const double PackCost = 32;

    /// <summary>Largest op(A), in floats once packed, that a column-split multiply packs once for all threads.</summary>
    public const int SharedAMax = 64 * 1024;

    /// <summary>Depth of the k blocks: k split into ⌈k/KC⌉ nearly equal blocks (the last may be shorter).</summary>
    public static int DepthBlock(int k) => k <= KC ? Math.Max(k, 1) : CeilDiv(k, CeilDiv(k, KC));

    public static int CeilDiv(int x, int y) => (x + y - 1) / y;

    /// <summary>Splits <paramref name="length"/> into nearly equal blocks of at most <paramref name="max"/>, rounded up to <paramref name="unit"/>.</summary>
    private static int BalancedBlock(int length, int max, int unit)
    {
        int blocks = CeilDiv(length, max);
        return CeilDiv(CeilDiv(length, blocks), unit) * unit;
    }

    /// <summary>Runs the job on up to <paramref name="threads"/> threads; m, n, k ≥ 1 and alpha ≠ 0.</summary>
    public static void Run(ref GemmJob job, int threads)
    {
        int mTiles = CeilDiv(job.M, MR), nStrips = CeilDiv(job.N, NR);
        double flops = 2.0 * job.M * job.N * job.K;
        threads = (int)Math.Min(threads, Math.Max(1, flops / MinFlopsPerThread));

        if (threads <= 1)
        {
            job.SplitColumns = true;
            job.Units = nStrips;
            job.Chunks = 1;
        }
        else
        {
            // Per-thread cost of each split, per depth step: the multiply-adds of its part of C plus the
            // packing it repeats (a row split packs all of B in every thread, a column split all of A).
            bool packsB = job.PackedB == null && (job.TransposeB || job.M > DirectBMaxRows);
            double byColumns = (double)CeilDiv(nStrips, threads) * NR * mTiles * MR
                + PackCost * (mTiles * MR + (packsB ? CeilDiv(nStrips, threads) * NR : 0));
            double byRows = (double)CeilDiv(mTiles, threads) * MR * nStrips * NR
                + PackCost * (CeilDiv(mTiles, threads) * MR + (job.PackedB == null ? nStrips * NR : 0));
            job.SplitColumns = byColumns <= byRows;
            job.Units = job.SplitColumns ? nStrips : mTiles;

            // A small op(A) under a column split (an LSTM step: 20×400) is packed once, here, for all threads;
            // otherwise every run would repeat it, which costs as much as its share of the multiply.
            long packedA = (long)mTiles * MR * job.K;
            if (job.SplitColumns && packedA <= SharedAMax)
            {
                job.PackedA = ThreadBuffers.SharedA();
                job.PackedARows = mTiles * MR;
                for (int pc = 0; pc < job.K; pc += job.DepthBlock)
                {
                    GemmPacking.PackA(job.TransposeA, job.A, job.Lda, 0, job.M, pc, Math.Min(job.DepthBlock, job.K - pc), job.PackedA + pc * job.PackedARows);
                }
            }

            // Cut the work finer than one run per thread (up to 4 each, keeping ≥ 4 strips or tiles per run) where
            // the packing a run repeats is cheap, so that a thread descheduled by other processes holds up less:
            // the others take the remaining runs. A row split repeats all of op(B) per run unless it is prepacked.
            bool finerIsCheap = job.SplitColumns ? job.PackedA != null || job.N >= 1024 * 4 * threads : job.PackedB != null;
            job.Chunks = finerIsCheap ? Math.Min(threads * 4, Math.Max(threads, job.Units / 4)) : threads;
            job.Chunks = Math.Min(job.Chunks, job.Units);
        }
        ComputeThreads.For(job.Chunks, threads, job);
    }

    /// <summary>Computes the block rows [m0, m1) × columns [n0, n1) of C; n0 is a multiple of NR.</summary>
    /// <remarks>Never inlined: see <see cref="GemmMicroKernel512.Run"/> on what inlining into the pool's dispatch did.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Block(in GemmJob job, int m0, int m1, int n0, int n1)
    {
        float* packA = ThreadBuffers.PackA();
        float* packB = null;
        int ncBlock = BalancedBlock(n1 - n0, ColumnBlockMax(job.DepthBlock), NR);
        int mcBlock = BalancedBlock(m1 - m0, RowBlockMax(job.DepthBlock), MR);
        bool directB = job.PackedB == null && !job.TransposeB && m1 - m0 <= DirectBMaxRows;
        if (job.PackedB == null) packB = ThreadBuffers.PackB();

        for (int jc = n0; jc < n1; jc += ncBlock)
        {
            int nc = Math.Min(ncBlock, n1 - jc);
            for (int pc = 0; pc < job.K; pc += job.DepthBlock)
            {
                int kc = Math.Min(job.DepthBlock, job.K - pc);
                // Later depth blocks add to what the first one stored.
                float beta = pc == 0 ? job.Beta : 1;

                float* bPanel;
                nint bStride, stripStep;
                float* tailStrip = null;
                if (job.PackedB != null)
                {
                    bPanel = job.PackedB + pc * job.PackedColumns + (nint)(jc / NR) * kc * NR;
                    bStride = NR;
                    stripStep = (nint)kc * NR;
                }
                else if (directB)
                {
                    bPanel = job.B + pc * job.Ldb + jc;
                    bStride = job.Ldb;
                    stripStep = NR;
                    int full = nc / NR * NR;
                    if (full < nc)
                    {
                        GemmPacking.PackB(false, job.B, job.Ldb, pc, kc, jc + full, nc - full, packB);
                        tailStrip = packB;
                    }
                }
                else
                {
                    GemmPacking.PackB(job.TransposeB, job.B, job.Ldb, pc, kc, jc, nc, packB);
                    bPanel = packB;
                    bStride = NR;
                    stripStep = (nint)kc * NR;
                }

                for (int ic = m0; ic < m1; ic += mcBlock)
                {
                    int mc = Math.Min(mcBlock, m1 - ic);
                    float* aBlock = packA;
                    if (job.PackedA != null) aBlock = job.PackedA + pc * job.PackedARows + (nint)(ic / MR) * kc * MR;
                    else GemmPacking.PackA(job.TransposeA, job.A, job.Lda, ic, mc, pc, kc, packA);
                    for (int s = 0; s * NR < nc; s++)
                    {
                        int nr = Math.Min(NR, nc - s * NR);
                        float* bStrip = bPanel + s * stripStep;
                        nint bs = bStride;
                        if (tailStrip != null && nr < NR)
                        {
                            bStrip = tailStrip;
                            bs = NR;
                        }
                        float* cStrip = job.C + ic * job.Ldc + jc + s * NR;
                        for (int t = 0; t * MR < mc; t++)
                        {
                            GemmMicroKernel.Tile(job.Kind, kc, aBlock + (nint)t * kc * MR, bStrip, bs,
                                cStrip + t * MR * job.Ldc, job.Ldc, job.Alpha, beta, Math.Min(MR, mc - t * MR), nr);
                        }
                    }
                }
            }
        }
    }

    /// <summary>C = beta · C over m×n (alpha = 0 or k = 0: the product is empty and A, B are not read).</summary>
    public static void Scale(int m, int n, float beta, Span<float> c, int ldc)
    {
        if (beta == 1) return;
        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * ldc, n);
            if (beta == 0) row.Clear();
            else
            {
                for (int j = 0; j < row.Length; j++) row[j] *= beta;
            }
        }
    }

    /// <summary>Per-thread packing buffers, 64-byte aligned, allocated once per thread on the pinned heap.</summary>
    private static class ThreadBuffers
    {
        [ThreadStatic] private static float[]? t_packA;
        [ThreadStatic] private static float[]? t_packB;
        [ThreadStatic] private static float[]? t_sharedA;

        public static float* PackA() => Aligned(t_packA ??= Allocate(ABlockFloats));

        public static float* PackB() => Aligned(t_packB ??= Allocate(BPanelFloats));

        /// <summary>The calling thread's op(A) packed for all threads of its current multiply (see <see cref="SharedAMax"/>).</summary>
        public static float* SharedA() => Aligned(t_sharedA ??= Allocate(SharedAMax));

        private static float[] Allocate(int length) => GC.AllocateUninitializedArray<float>(length + 16, pinned: true);

        public static float* Aligned(float[] pinned)
        {
            nint address = (nint)Unsafe.AsPointer(ref pinned[0]);
            return (float*)((address + 63) & ~(nint)63);
        }
    }
}

/// <summary>Everything one GEMM call's threads need; a struct so that starting the parallel loop allocates nothing.</summary>
internal unsafe struct GemmJob : IParallelWork
{
    public bool TransposeA, TransposeB;
    public int M, N, K;
    public float Alpha, Beta;
    public float* A, B, C;
    public nint Lda, Ldb, Ldc;

    /// <summary>A prepacked op(B) (<see cref="PackedMatrix"/>), or null to pack (or read) B on the fly.</summary>
    public float* PackedB;
    public nint PackedColumns;

    /// <summary>All of op(A) packed by the calling thread (depth block at pc · PackedARows), or null: each run packs its own.</summary>
    public float* PackedA;
    public nint PackedARows;

    public int DepthBlock;
    public GemmKernelKind Kind;

    /// <summary>The thread split: <see cref="Chunks"/> nearly equal runs of <see cref="Units"/> NR-column strips or MR-row tiles.</summary>
    public bool SplitColumns;
    public int Units, Chunks;

    public readonly void Execute(int chunk)
    {
        int u0 = (int)((long)Units * chunk / Chunks), u1 = (int)((long)Units * (chunk + 1) / Chunks);
        if (SplitColumns) GemmDriver.Block(this, 0, M, u0 * GemmDriver.NR, Math.Min(N, u1 * GemmDriver.NR));
        else GemmDriver.Block(this, u0 * GemmDriver.MR, Math.Min(M, u1 * GemmDriver.MR), 0, N);
    }
}
