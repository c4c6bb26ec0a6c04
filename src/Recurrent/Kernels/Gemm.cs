namespace Recurrent.Kernels;

/// <summary>
/// Single-precision general matrix multiply on row-major storage:
/// <c>C = alpha · op(A) · op(B) + beta · C</c>, where op(X) is X or Xᵀ.
/// </summary>
/// <remarks>
/// op(A) is m×k and op(B) is k×n. Leading dimensions are row strides: A is stored m×k (lda ≥ k)
/// or, transposed, k×m (lda ≥ m); likewise B. With <c>beta = 1</c> the product accumulates into C,
/// which backward passes use to sum gradients over time steps. <c>beta = 0</c> ignores C's old contents
/// (NaNs included), as BLAS does.
/// </remarks>
public static class Gemm
{
    /// <summary>C = alpha · op(A) · op(B) + beta · C.</summary>
    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        GemmReference.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
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
