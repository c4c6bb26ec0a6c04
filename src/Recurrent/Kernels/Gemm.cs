namespace Recurrent.Kernels;

/// <summary>
/// Single-precision general matrix multiply on row-major storage:
/// <c>C = alpha · op(A) · op(B) + beta · C</c>, where op(X) is X or Xᵀ.
/// </summary>
/// <remarks>
/// <para>
/// op(A) is m×k and op(B) is k×n. Leading dimensions are row strides: A is stored m×k (lda ≥ k)
/// or, transposed, k×m (lda ≥ m); likewise B. With <c>beta = 1</c> the product accumulates into C,
/// which backward passes use to sum gradients over time steps. <c>beta = 0</c> ignores C's old contents
/// (NaNs included), as BLAS does; <c>alpha = 0</c> or <c>k = 0</c> only scales C and reads neither A nor B.
/// Elements of C beyond column n (up to ldc) are never touched.
/// </para>
/// <para>
/// The implementation packs blocks of op(A) and op(B) (<see cref="GemmPacking"/>), walks them in cache-sized
/// blocks (<see cref="GemmDriver"/>) and computes 10×32 register tiles with FMA
/// (<see cref="GemmMicroKernel512"/>, with AVX2 and scalar fallbacks chosen at run time). It runs on
/// <see cref="ComputeThreads.Count"/> threads, split over rows or columns of C but never over k, so the result is
/// bit-identical for every thread count. Each element is accumulated in float with FMA, in increasing k.
/// </para>
/// <para>
/// When the same B multiplies many left-hand sides (the recurrent weights of an LSTM, once per time step),
/// pack it once with <see cref="Pack"/> and call the <see cref="Multiply(bool, int, float, ReadOnlySpan{float}, int, PackedMatrix, float, Span{float}, int)"/>
/// overload; it gives the same result bit for bit, without re-reading B's layout at every step.
/// </para>
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>C = alpha · op(A) · op(B) + beta · C.</summary>
    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
        => Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ComputeThreads.Count, GemmKernelKind.Auto);

    /// <summary>
    /// C = alpha · op(A) · B + beta · C with B prepacked by <see cref="Pack"/> (op(B) is then k×n with k =
    /// <see cref="PackedMatrix.Rows"/>, n = <see cref="PackedMatrix.Columns"/>; the transpose was applied when packing).
    /// </summary>
    public static void Multiply(
        bool transposeA, int m, float alpha, ReadOnlySpan<float> a, int lda,
        PackedMatrix b, float beta, Span<float> c, int ldc)
        => Multiply(transposeA, m, alpha, a, lda, b, beta, c, ldc, ComputeThreads.Count, GemmKernelKind.Auto);

    /// <summary>
    /// Packs op(B) (k×n; B stored k×n with ldb ≥ n, or transposed n×k with ldb ≥ k) into the layout the kernels
    /// read, for reuse across many <see cref="Multiply(bool, int, float, ReadOnlySpan{float}, int, PackedMatrix, float, Span{float}, int)"/> calls.
    /// Refresh it after B changes with <see cref="PackedMatrix.Repack"/>, which reuses the storage.
    /// </summary>
    public static PackedMatrix Pack(bool transpose, int k, int n, ReadOnlySpan<float> b, int ldb)
    {
        var packed = new PackedMatrix();
        packed.Repack(transpose, k, n, b, ldb);
        return packed;
    }

    /// <summary>The general entry point with an explicit thread count and kernel, so tests can force the fallbacks.</summary>
    internal static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, int threads, GemmKernelKind kind)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckOperand(nameof(c), c.Length, false, m, n, ldc);
        if (m == 0 || n == 0) return;
        if (alpha == 0 || k == 0)
        {
            GemmDriver.Scale(m, n, beta, c, ldc);
            return;
        }
        CheckOperand(nameof(a), a.Length, transposeA, m, k, lda);
        CheckOperand(nameof(b), b.Length, transposeB, k, n, ldb);

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            if (m == 1 && !transposeB)
            {
                // One row: stream B's rows instead of tiling (same arithmetic, see GemmRowVector).
                GemmRowVector.Run(n, k, alpha, pa, transposeA ? lda : 1, pb, ldb, beta, pc, GemmDriver.DepthBlock(k), GemmMicroKernel.Resolve(kind), threads);
                return;
            }
            var job = new GemmJob
            {
                TransposeA = transposeA, TransposeB = transposeB, M = m, N = n, K = k, Alpha = alpha, Beta = beta,
                A = pa, Lda = lda, B = pb, Ldb = ldb, C = pc, Ldc = ldc,
                DepthBlock = GemmDriver.DepthBlock(k), Kind = GemmMicroKernel.Resolve(kind),
            };
            GemmDriver.Run(ref job, threads);
        }
    }

    /// <summary>The prepacked-B entry point with an explicit thread count and kernel.</summary>
    internal static void Multiply(
        bool transposeA, int m, float alpha, ReadOnlySpan<float> a, int lda,
        PackedMatrix b, float beta, Span<float> c, int ldc, int threads, GemmKernelKind kind)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        int n = b.Columns, k = b.Rows;
        CheckOperand(nameof(c), c.Length, false, m, n, ldc);
        if (m == 0 || n == 0) return;
        if (alpha == 0 || k == 0)
        {
            GemmDriver.Scale(m, n, beta, c, ldc);
            return;
        }
        CheckOperand(nameof(a), a.Length, transposeA, m, k, lda);

        fixed (float* pa = a)
        fixed (float* pc = c)
        {
            var job = new GemmJob
            {
                TransposeA = transposeA, M = m, N = n, K = k, Alpha = alpha, Beta = beta,
                A = pa, Lda = lda, C = pc, Ldc = ldc,
                PackedB = b.Pointer, PackedColumns = b.PaddedColumns,
                DepthBlock = b.DepthBlock, Kind = GemmMicroKernel.Resolve(kind),
            };
            GemmDriver.Run(ref job, threads);
            GC.KeepAlive(b);
        }
    }

    /// <summary>Checks that an operand whose op() is rows×cols fits its span with leading dimension ld.</summary>
    internal static void CheckOperand(string name, int length, bool transposed, int rows, int cols, int ld)
    {
        int storedRows = transposed ? cols : rows, storedCols = transposed ? rows : cols;
        if (ld < Math.Max(1, storedCols))
            throw new ArgumentOutOfRangeException($"ld{name}", ld, $"The leading dimension of {name} must be at least {Math.Max(1, storedCols)}.");
        if (storedRows > 0 && storedCols > 0 && (long)(storedRows - 1) * ld + storedCols > length)
            throw new ArgumentException(
                $"{name} holds {length} floats, but a {storedRows}×{storedCols} matrix with leading dimension {ld} needs {(long)(storedRows - 1) * ld + storedCols}.", name);
    }
}

/// <summary>Straightforward triple loop, kept as the readable definition of <see cref="Gemm"/>.</summary>
internal static class GemmReference
{
    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transposeA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transposeB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }
                ref float cv = ref c[i * ldc + j];
                cv = beta == 0 ? alpha * sum : alpha * sum + beta * cv;
            }
        }
    }
}
