using System.Runtime.CompilerServices;

namespace Recurrent.Kernels;

/// <summary>
/// A right-hand GEMM operand op(B) (k×n) stored in the micro-kernels' packed layout, for reuse across many
/// multiplies by the same matrix. Create it with <see cref="Gemm.Pack"/>; refresh it with <see cref="Repack"/>
/// after B changes (e.g. once per optimizer step), which reuses the storage when it is large enough.
/// </summary>
/// <remarks>
/// Layout: k is cut into the same depth blocks as an unpacked multiply (<see cref="GemmDriver.DepthBlock"/>),
/// so results are bit-identical to <see cref="Gemm.Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>.
/// Depth block d (rows pc..pc+kc) starts at <c>pc · PaddedColumns</c> and holds ⌈n/32⌉ strips of kc×32
/// floats, the last zero-padded (see <see cref="GemmPacking"/>). The storage is a pinned, 64-byte-aligned array.
/// A packed matrix is a snapshot: changing B afterwards does not change it.
/// </remarks>
internal sealed unsafe class PackedMatrix
{
    private float[] _storage = [];
    private nint _offset;

    /// <summary>k: rows of op(B), the depth of the products it takes part in.</summary>
    public int Rows { get; private set; }

    /// <summary>n: columns of op(B) and of the products.</summary>
    public int Columns { get; private set; }

    internal int DepthBlock { get; private set; } = 1;

    internal int PaddedColumns { get; private set; }

    internal float* Pointer => (float*)Unsafe.AsPointer(ref _storage[0]) + _offset;

    /// <summary>
    /// Packs op(B) (k×n) into this object: B stored k×n (ldb ≥ n) or, with <paramref name="transpose"/>, n×k
    /// (ldb ≥ k). Allocates only when the packed size exceeds the current capacity.
    /// </summary>
    public void Repack(bool transpose, int k, int n, ReadOnlySpan<float> b, int ldb)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        Gemm.CheckOperand(nameof(b), b.Length, transpose, k, n, ldb);
        const int NR = GemmDriver.NR;
        int padded = GemmDriver.CeilDiv(n, NR) * NR;
        long length = (long)k * padded;
        if (length > int.MaxValue - 32) throw new ArgumentException($"A packed {k}×{n} matrix is too large.", nameof(b));
        if (_storage.Length < length + 16)
        {
            _storage = GC.AllocateUninitializedArray<float>((int)length + 16, pinned: true);
            nint address = (nint)Unsafe.AsPointer(ref _storage[0]);
            _offset = (((address + 63) & ~(nint)63) - address) / sizeof(float);
        }
        Rows = k;
        Columns = n;
        PaddedColumns = padded;
        DepthBlock = GemmDriver.DepthBlock(k);
        if (k == 0 || n == 0) return;

        fixed (float* pb = b)
        {
            var job = new PackJob
            {
                Transpose = transpose, K = k, N = n, B = pb, Ldb = ldb, Destination = Pointer,
                PaddedColumns = padded, DepthBlock = DepthBlock,
                Strips = padded / NR,
                Chunks = Math.Max(1, Math.Min(ComputeThreads.Count, (int)Math.Min(padded / NR, length / 65536))),
            };
            ComputeThreads.For(job.Chunks, job);
        }
    }

    /// <summary>Packs a run of column strips for every depth block.</summary>
    private struct PackJob : IParallelWork
    {
        public bool Transpose;
        public int K, N, DepthBlock, Strips, Chunks;
        public float* B, Destination;
        public nint Ldb, PaddedColumns;

        public readonly void Execute(int chunk)
        {
            const int NR = GemmDriver.NR;
            int s0 = (int)((long)Strips * chunk / Chunks), s1 = (int)((long)Strips * (chunk + 1) / Chunks);
            int j0 = s0 * NR, nc = Math.Min(N, s1 * NR) - j0;
            if (nc <= 0) return;
            for (int pc = 0; pc < K; pc += DepthBlock)
            {
                int kc = Math.Min(DepthBlock, K - pc);
                GemmPacking.PackB(Transpose, B, Ldb, pc, kc, j0, nc, Destination + pc * PaddedColumns + (nint)s0 * kc * NR);
            }
        }
    }
}
