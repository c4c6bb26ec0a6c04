using Recurrent.Kernels;
using Recurrent.Tensors;

namespace Recurrent.Tests.Kernels;

/// <summary>
/// Checks <see cref="Gemm"/> against a naive double-precision product written here.
/// </summary>
/// <remarks>
/// Tolerance: inputs are floats, so each product a·b is exact in double and the double sum is exact to
/// about k·2⁻⁵³ — the reference is effectively exact. The float kernel accumulates k products with FMA;
/// each FMA rounds once with relative error ≤ u = 2⁻²⁴, so the classic bound for a recursive sum gives
/// |error| ≤ γ_k · Σ|a||b| with γ_k ≈ k·u. The final C = alpha·sum + beta·C adds two more roundings.
/// Hence per element |ours − exact| ≤ (k + 2)·u·(|alpha|·Σ_p|a_ip||b_pj| + |beta|·|C_old|), which we
/// check directly (plus a denormal-sized absolute slack). A wrong index or a missed block gives errors
/// of the order of the values themselves, far above this bound.
/// </remarks>
public class GemmTests
{
    private const double Unit = 1.0 / (1 << 24);

    private static readonly int[] Sizes = [1, 2, 7, 15, 16, 17, 33, 64, 100, 257, 1000];

    public static TheoryData<bool, bool, int, int, int> Shapes()
    {
        // Every transpose variant on odd shapes from Sizes: below, at and above the 10×32 tile, more than
        // one 512-deep block (k = 1000), more than one 480-row block (m = 1000), k = 1.
        (int m, int n, int k)[] shapes =
        [
            (1, 1, 1), (2, 7, 15), (7, 2, 1), (15, 16, 17), (16, 17, 33), (17, 33, 2), (33, 64, 7),
            (64, 33, 100), (100, 15, 257), (7, 100, 1000), (257, 17, 16), (1000, 7, 15), (2, 1000, 64),
        ];
        var data = new TheoryData<bool, bool, int, int, int>();
        foreach (var (m, n, k) in shapes)
        {
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true }) data.Add(ta, tb, m, n, k);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesDoubleReference(bool transposeA, bool transposeB, int m, int n, int k)
    {
        var rng = new RandomGenerator((ulong)(m * 1_000_003 + n * 1009 + k * 7 + (transposeA ? 1 : 0) + (transposeB ? 2 : 0)));
        var problem = Problem.Create(rng, transposeA, transposeB, m, n, k, padding: 0);
        problem.RunAndCheck(alpha: 1, beta: 0);
        problem.RunAndCheck(alpha: 0.5f, beta: 1);
        problem.RunAndCheck(alpha: -1.25f, beta: -0.75f);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void LeadingDimensionsLargerThanRowsLeavePaddingAlone(bool transposeA, bool transposeB)
    {
        var rng = new RandomGenerator(42);
        foreach (var (m, n, k) in new[] { (17, 33, 15), (33, 100, 257), (20, 70, 40) })
        {
            // Padding of A and B holds NaN, so reading it would poison the result; padding of C holds a sentinel that must survive.
            var problem = Problem.Create(rng, transposeA, transposeB, m, n, k, padding: 5);
            problem.RunAndCheck(alpha: 1, beta: 0);
            problem.RunAndCheck(alpha: 2, beta: 0.5f);
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void BetaZeroIgnoresNaNInC(bool transposeA, bool transposeB)
    {
        var rng = new RandomGenerator(7);
        var problem = Problem.Create(rng, transposeA, transposeB, 23, 45, 67, padding: 0);
        problem.C.AsSpan().Fill(float.NaN);
        problem.RunAndCheck(alpha: 1.5f, beta: 0);
        Assert.DoesNotContain(problem.C, float.IsNaN);
    }

    [Fact]
    public void EmptyDimensionsAndZeroAlpha()
    {
        float[] a = [1, 2, 3, 4], b = [5, 6, 7, 8];
        float[] c = [1, 2, 3, 4];
        Gemm.Multiply(false, false, 0, 2, 2, 1, a, 2, b, 2, 0, c, 2);
        Gemm.Multiply(false, false, 2, 0, 2, 1, a, 2, b, 2, 0, c, 2);
        Assert.Equal([1, 2, 3, 4], c);

        // k = 0: the product is empty, C = beta·C.
        Gemm.Multiply(false, false, 2, 2, 0, 1, [], 1, [], 2, 3, c, 2);
        Assert.Equal([3, 6, 9, 12], c);
        // alpha = 0 reads neither A nor B (BLAS), and beta = 0 clears NaN.
        float[] nan = [float.NaN, float.NaN, float.NaN, float.NaN];
        c[1] = float.NaN;
        Gemm.Multiply(false, false, 2, 2, 2, 0, nan, 2, nan, 2, 0, c, 2);
        Assert.Equal([0, 0, 0, 0], c);
    }

    [Fact]
    public void RejectsOperandsThatDoNotFit()
    {
        var a = new float[6];
        var b = new float[5];   // a 3×2 B needs 6
        var c = new float[4];
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, 2, 2, 3, 1, a, 2, b, 2, 0, c, 2));
    }

    [Theory]
    [InlineData(false, 0f)]
    [InlineData(false, 1f)]
    [InlineData(true, -0.5f)]
    public void OneRowMatchesTheTiledKernelBitForBit(bool transposeA, float beta)
    {
        // A 1×k op(A) stored as a row or as a column (transposed, stride 3); k spans two depth blocks.
        const int n = 777, k = 530;
        int lda = transposeA ? 3 : k;
        var rng = new RandomGenerator(21);
        var a = new float[k * (transposeA ? lda : 1)];
        var b = new float[k * (n + 3)];
        var c = new float[n];
        rng.FillUniform(a, -1, 1);
        rng.FillUniform(b, -1, 1);
        rng.FillUniform(c, -1, 1);
        var expected = (float[])c.Clone();
        PackedMatrix packed = Gemm.Pack(false, k, n, b, n + 3);
        Gemm.Multiply(transposeA, 1, 1.5f, a, lda, packed, beta, expected, n);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var actual = (float[])c.Clone();
            Gemm.Multiply(transposeA, false, 1, n, k, 1.5f, a, lda, b, n + 3, beta, actual, n, threads, GemmKernelKind.Auto);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData(false, 20, 800, 400)]
    [InlineData(true, 20, 800, 400)]
    [InlineData(false, 33, 70, 300)]
    [InlineData(false, 100, 257, 17)]
    [InlineData(false, 1, 10000, 200)] // one row: the unpacked call streams B's rows (GemmRowVector), the packed one tiles
    [InlineData(false, 1, 1037, 600)]  // several depth blocks and a column tail
    public void PackedBMatchesUnpackedBitForBit(bool transposeB, int m, int n, int k)
    {
        var rng = new RandomGenerator(11);
        var problem = Problem.Create(rng, false, transposeB, m, n, k, padding: 3);
        var expected = (float[])problem.C.Clone();
        Gemm.Multiply(false, transposeB, m, n, k, 0.75f, problem.A, problem.Lda, problem.B, problem.Ldb, 0.5f, expected, problem.Ldc);

        PackedMatrix packed = Gemm.Pack(transposeB, k, n, problem.B, problem.Ldb);
        Assert.Equal(k, packed.Rows);
        Assert.Equal(n, packed.Columns);
        var actual = (float[])problem.C.Clone();
        Gemm.Multiply(false, m, 0.75f, problem.A, problem.Lda, packed, 0.5f, actual, problem.Ldc);
        Assert.Equal(expected, actual);

        // Repack a smaller matrix into the same object, then the original again: still right.
        var small = Problem.Create(rng, true, transposeB, 9, 40, 13, padding: 0);
        packed.Repack(transposeB, 13, 40, small.B, small.Ldb);
        small.RunAndCheck(1, 0, packed);
        packed.Repack(transposeB, k, n, problem.B, problem.Ldb);
        actual = (float[])problem.C.Clone();
        Gemm.Multiply(false, m, 0.75f, problem.A, problem.Lda, packed, 0.5f, actual, problem.Ldc);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(false, false, 20, 800, 400)]   // m tiny: split over columns
    [InlineData(false, true, 20, 400, 800)]
    [InlineData(true, false, 400, 800, 20)]
    [InlineData(false, true, 400, 200, 1000)]  // n small, m large: split over rows
    [InlineData(true, true, 257, 100, 300)]
    [InlineData(false, false, 30, 2100, 450)]  // one depth block of 450 (KC = 512), columns cut into several runs
    [InlineData(true, false, 25, 1500, 1100)]  // three depth blocks, smaller row and column blocks for kc = 367
    public void ThreadCountDoesNotChangeTheResult(bool transposeA, bool transposeB, int m, int n, int k)
    {
        var rng = new RandomGenerator(5);
        var p = Problem.Create(rng, transposeA, transposeB, m, n, k, padding: 1);
        float[] one = (float[])p.C.Clone(), two = (float[])p.C.Clone(), three = (float[])p.C.Clone();
        Gemm.Multiply(transposeA, transposeB, m, n, k, 1, p.A, p.Lda, p.B, p.Ldb, 1, one, p.Ldc, 1, GemmKernelKind.Auto);
        Gemm.Multiply(transposeA, transposeB, m, n, k, 1, p.A, p.Lda, p.B, p.Ldb, 1, two, p.Ldc, 2, GemmKernelKind.Auto);
        Gemm.Multiply(transposeA, transposeB, m, n, k, 1, p.A, p.Lda, p.B, p.Ldb, 1, three, p.Ldc, 3, GemmKernelKind.Auto);
        Assert.Equal(one, two);
        Assert.Equal(one, three);

        PackedMatrix packed = Gemm.Pack(transposeB, k, n, p.B, p.Ldb);
        float[] packedTwo = (float[])p.C.Clone();
        Gemm.Multiply(transposeA, m, 1, p.A, p.Lda, packed, 1, packedTwo, p.Ldc, 2, GemmKernelKind.Auto);
        Assert.Equal(one, packedTwo);
    }

    [Fact]
    public void MicroKernelsAreNeverInlined()
    {
        // Inlined by tiered PGO into the pool's dispatch loop, the AVX-512 kernel spilled its accumulators on every
        // depth step (multi-threaded GEMM ran ~3x slower); the attribute is what keeps it a separate, register-only body.
        foreach (var method in new[]
        {
            typeof(GemmMicroKernel512).GetMethod(nameof(GemmMicroKernel512.Run))!,
            typeof(GemmDriver).GetMethod(nameof(GemmDriver.Block))!,
        })
        {
            Assert.True(method.MethodImplementationFlags.HasFlag(System.Reflection.MethodImplAttributes.NoInlining), method.Name);
        }
    }

    public static TheoryData<int> FallbackKernels() => new()
    {
        (int)GemmKernelKind.Vector256,
        (int)GemmKernelKind.Scalar,
    };

    [Theory]
    [MemberData(nameof(FallbackKernels))]
    public void FallbackKernelsAgreeWithTheReferenceAndWithEachOther(int kindValue)
    {
        var kind = (GemmKernelKind)kindValue;
        if (kind == GemmKernelKind.Vector256 && !GemmMicroKernel256.IsSupported) return;
        foreach (var (ta, tb, m, n, k) in new[] { (false, false, 17, 33, 100), (true, false, 7, 64, 257), (false, true, 33, 15, 16), (true, true, 20, 70, 300) })
        {
            var rng = new RandomGenerator(99);
            var p = Problem.Create(rng, ta, tb, m, n, k, padding: 2);
            float[] auto = (float[])p.C.Clone(), forced = (float[])p.C.Clone();
            Gemm.Multiply(ta, tb, m, n, k, 1.5f, p.A, p.Lda, p.B, p.Ldb, -0.5f, auto, p.Ldc, 2, GemmKernelKind.Auto);
            Gemm.Multiply(ta, tb, m, n, k, 1.5f, p.A, p.Lda, p.B, p.Ldb, -0.5f, forced, p.Ldc, 2, kind);
            // Every kernel does the same FMAs in the same order, so they agree exactly...
            Assert.Equal(auto, forced);
            // ...and the forced one is right on its own.
            p.RunAndCheck(1.5f, -0.5f, kind: kind);
        }
    }

    [Fact]
    public void ThreadPoolBackToBackTinyLoopsRunEveryIndexOnce()
    {
        // Loops far shorter than a worker's wake-up: the owner often takes every index and closes the loop before
        // a worker joins, and a late worker may then meet the next loop. Each loop's indices must still run once,
        // with a body that reads its own loop's data (the struct carried in the slot).
        var hits = new int[4 * 3000];
        for (int loop = 0; loop < 3000; loop++)
            ComputeThreads.For(1 + loop % 4, 4, new CountHits(hits, loop * 4));
        for (int loop = 0; loop < 3000; loop++)
        for (int i = 0; i < 4; i++)
            Assert.Equal(i < 1 + loop % 4 ? 1 : 0, hits[loop * 4 + i]);
    }

    private readonly struct CountHits(int[] hits, int offset) : IParallelWork
    {
        public void Execute(int index) => Interlocked.Increment(ref hits[offset + index]);
    }

    [Fact]
    public void ThreadPoolRunsEveryIndexOnceAndPropagatesExceptions()
    {
        var hits = new int[1000];
        ComputeThreads.For(hits.Length, i => Interlocked.Increment(ref hits[i]));
        Assert.All(hits, h => Assert.Equal(1, h));

        // Nested loops run inline rather than deadlocking.
        var nested = new int[8 * 8];
        ComputeThreads.For(8, i => ComputeThreads.For(8, j => Interlocked.Increment(ref nested[i * 8 + j])));
        Assert.All(nested, h => Assert.Equal(1, h));

        var error = Assert.Throws<InvalidOperationException>(() =>
            ComputeThreads.For(100, i => { if (i == 37) throw new InvalidOperationException("index 37"); }));
        Assert.Equal("index 37", error.Message);

        // The pool is usable again after an exception.
        Array.Clear(hits);
        ComputeThreads.For(hits.Length, i => Interlocked.Increment(ref hits[i]));
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    /// <summary>One random GEMM problem with optional padding in every leading dimension.</summary>
    private sealed class Problem
    {
        public required bool TransposeA, TransposeB;
        public required int M, N, K, Lda, Ldb, Ldc;
        public required float[] A, B, C;

        private const float CSentinel = -12345.5f;

        public static Problem Create(RandomGenerator rng, bool transposeA, bool transposeB, int m, int n, int k, int padding)
        {
            int aRows = transposeA ? k : m, aCols = transposeA ? m : k;
            int bRows = transposeB ? n : k, bCols = transposeB ? k : n;
            int lda = aCols + padding, ldb = bCols + padding, ldc = n + padding;
            var p = new Problem
            {
                TransposeA = transposeA, TransposeB = transposeB, M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc,
                A = Matrix(rng, aRows, aCols, lda, float.NaN),
                B = Matrix(rng, bRows, bCols, ldb, float.NaN),
                C = Matrix(rng, m, n, ldc, CSentinel),
            };
            return p;
        }

        private static float[] Matrix(RandomGenerator rng, int rows, int cols, int ld, float pad)
        {
            var x = new float[Math.Max(1, rows * ld)];
            x.AsSpan().Fill(pad);
            for (int i = 0; i < rows; i++) rng.FillUniform(x.AsSpan(i * ld, cols), -1, 1);
            return x;
        }

        /// <summary>Runs C = alpha·op(A)·op(B) + beta·C (updating C) and checks every element against the double reference.</summary>
        public void RunAndCheck(float alpha, float beta, PackedMatrix? packed = null, GemmKernelKind kind = GemmKernelKind.Auto)
        {
            float[] before = (float[])C.Clone();
            if (packed != null) Gemm.Multiply(TransposeA, M, alpha, A, Lda, packed, beta, C, Ldc);
            else if (kind == GemmKernelKind.Auto) Gemm.Multiply(TransposeA, TransposeB, M, N, K, alpha, A, Lda, B, Ldb, beta, C, Ldc);
            else Gemm.Multiply(TransposeA, TransposeB, M, N, K, alpha, A, Lda, B, Ldb, beta, C, Ldc, 1, kind);

            for (int i = 0; i < M; i++)
            {
                for (int j = 0; j < N; j++)
                {
                    double sum = 0, magnitude = 0;
                    for (int p = 0; p < K; p++)
                    {
                        double av = TransposeA ? A[p * Lda + i] : A[i * Lda + p];
                        double bv = TransposeB ? B[j * Ldb + p] : B[p * Ldb + j];
                        sum += av * bv;
                        magnitude += Math.Abs(av * bv);
                    }
                    double old = before[i * Ldc + j];
                    double expected = alpha * sum + (beta == 0 ? 0 : beta * old);
                    double bound = (K + 2) * Unit * (Math.Abs(alpha) * magnitude + (beta == 0 ? 0 : Math.Abs(beta * old))) + 1e-30;
                    float actual = C[i * Ldc + j];
                    if (!(Math.Abs(actual - expected) <= bound))
                        Assert.Fail($"C[{i},{j}] = {actual}, expected {expected} ± {bound} (m={M} n={N} k={K} tA={TransposeA} tB={TransposeB} alpha={alpha} beta={beta})");
                }
                for (int j = N; j < Ldc && i * Ldc + j < C.Length; j++)
                {
                    if (C[i * Ldc + j] != CSentinel) Assert.Fail($"padding C[{i},{j}] was overwritten with {C[i * Ldc + j]}");
                }
            }
        }
    }
}
