using Recurrent.Kernels;
using Recurrent.Tensors;

namespace Recurrent.Tests.Kernels;

/// <summary>
/// Checks the packed layouts of <see cref="GemmPacking"/> element by element against their definition
/// (strip s of op(A): element (r, p) at s·kc·MR + p·MR + r; of op(B): (p, j) at s·kc·NR + p·NR + j, zero padded),
/// on shapes that exercise the AVX-512 transposes (16-deep blocks, full 32-column strips) and their scalar tails.
/// </summary>
public unsafe class GemmPackingTests
{
    private const int MR = GemmMicroKernel.MR, NR = GemmMicroKernel.NR;

    [Theory]
    [InlineData(false, 10, 16)]
    [InlineData(false, 23, 37)]
    [InlineData(false, 3, 250)]
    [InlineData(true, 23, 37)]
    [InlineData(true, 41, 5)]
    public void PackAFollowsTheLayout(bool transpose, int mc, int kc)
    {
        int i0 = 3, p0 = 2, rows = i0 + mc + 1, cols = p0 + kc + 3;
        // Stored A is rows×cols (op(A) = A) or cols×rows (op(A) = Aᵀ), with a leading dimension larger than needed.
        int storedRows = transpose ? cols : rows, lda = (transpose ? rows : cols) + 5;
        float[] a = Filled(storedRows * lda);
        int strips = (mc + MR - 1) / MR;
        var packed = new float[strips * kc * MR + 7];
        Array.Fill(packed, float.NaN);
        fixed (float* pa = a)
        fixed (float* pd = packed)
            GemmPacking.PackA(transpose, pa, lda, i0, mc, p0, kc, pd);
        for (int s = 0; s < strips; s++)
        for (int p = 0; p < kc; p++)
        for (int r = 0; r < MR; r++)
        {
            int i = s * MR + r;
            float expected = i >= mc ? 0 : transpose ? a[(p0 + p) * lda + i0 + i] : a[(i0 + i) * lda + p0 + p];
            Assert.True(expected == packed[s * kc * MR + p * MR + r], $"strip {s}, depth {p}, row {r}: expected {expected}, got {packed[s * kc * MR + p * MR + r]}");
        }
        for (int q = strips * kc * MR; q < packed.Length; q++) Assert.True(float.IsNaN(packed[q]), "wrote past the packed block");
    }

    [Theory]
    [InlineData(true, 16, 32)]
    [InlineData(true, 37, 70)]
    [InlineData(true, 250, 33)]
    [InlineData(false, 37, 70)]
    public void PackBFollowsTheLayout(bool transpose, int kc, int nc)
    {
        int p0 = 1, j0 = 4, depth = p0 + kc + 2, cols = j0 + nc + 3;
        int storedRows = transpose ? cols : depth, ldb = (transpose ? depth : cols) + 3;
        float[] b = Filled(storedRows * ldb);
        int strips = (nc + NR - 1) / NR;
        var packed = new float[strips * kc * NR + 7];
        Array.Fill(packed, float.NaN);
        fixed (float* pb = b)
        fixed (float* pd = packed)
            GemmPacking.PackB(transpose, pb, ldb, p0, kc, j0, nc, pd);
        for (int s = 0; s < strips; s++)
        for (int p = 0; p < kc; p++)
        for (int c = 0; c < NR; c++)
        {
            int j = s * NR + c;
            float expected = j >= nc ? 0 : transpose ? b[(j0 + j) * ldb + p0 + p] : b[(p0 + p) * ldb + j0 + j];
            Assert.Equal(expected, packed[s * kc * NR + p * NR + c]);
        }
        for (int q = strips * kc * NR; q < packed.Length; q++) Assert.True(float.IsNaN(packed[q]), "wrote past the packed panel");
    }

    private static float[] Filled(int length)
    {
        var values = new float[length];
        new RandomGenerator(5).FillUniform(values, -1, 1);
        return values;
    }
}
