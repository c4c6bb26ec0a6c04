using Recurrent.Layers;
using Recurrent.Tensors;

namespace Recurrent.Tests.Layers;

public class InitializerTests
{
    /// <summary>max |(AᵀA − I)| for A [rows, cols] (columns orthonormal) or of AAᵀ when <paramref name="rowsOrthonormal"/>.</summary>
    private static double OrthogonalityError(ReadOnlySpan<float> a, int rows, int cols, bool rowsOrthonormal)
    {
        int k = rowsOrthonormal ? rows : cols, len = rowsOrthonormal ? cols : rows;
        double worst = 0;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double dot = 0;
                for (int t = 0; t < len; t++)
                    dot += rowsOrthonormal ? (double)a[i * cols + t] * a[j * cols + t] : (double)a[t * cols + i] * a[t * cols + j];
                worst = Math.Max(worst, Math.Abs(dot - (i == j ? 1 : 0)));
            }
        return worst;
    }

    [Theory]
    [InlineData(40, 40)]
    [InlineData(60, 20)]
    [InlineData(20, 60)]
    public void OrthogonalIsOrthonormal(int rows, int cols)
    {
        var w = new Tensor(rows, cols);
        Initializers.Orthogonal(w, new RandomGenerator(1));
        // Float rounding of unit-norm entries: each dot product errs by ≲ n·2^-24 ≈ 4e-6.
        Assert.True(OrthogonalityError(w.Span, rows, cols, rowsOrthonormal: rows < cols) < 1e-5);
    }

    [Fact]
    public void OrthogonalBlocksAreEachOrthogonal()
    {
        const int h = 16;
        var w = new Tensor(h, 4 * h);
        Initializers.OrthogonalBlocks(w, new RandomGenerator(2), gain: 1f);
        for (int g = 0; g < 4; g++)
        {
            var block = new float[h * h];
            for (int r = 0; r < h; r++) w.Span.Slice(r * 4 * h + g * h, h).CopyTo(block.AsSpan(r * h, h));
            Assert.True(OrthogonalityError(block, h, h, rowsOrthonormal: false) < 1e-5, $"block {g}");
        }
        // Blocks are independent draws, not copies.
        Assert.NotEqual(w[0, 0], w[0, h]);
        Assert.Throws<ArgumentException>(() => Initializers.OrthogonalBlocks(new Tensor(3, 7), new RandomGenerator(1)));
    }

    [Fact]
    public void UniformStaysInBoundsAndIsReproducible()
    {
        var a = new Tensor(100, 50);
        var b = new Tensor(100, 50);
        Initializers.Uniform(a, 0.1f, new RandomGenerator(3));
        Initializers.Uniform(b, 0.1f, new RandomGenerator(3));
        Assert.Equal(a.Span.ToArray(), b.Span.ToArray());
        float[] v = a.Span.ToArray();
        Assert.All(v, x => Assert.InRange(x, -0.1f, 0.1f));
        Assert.True(v.Max() > 0.099f && v.Min() < -0.099f, "samples should cover the range");
        Assert.Equal(0, v.Average(x => (double)x), 0.003); // sd of the mean: 0.1/sqrt(3·5000) ≈ 8e-4
    }

    [Fact]
    public void GlorotUsesTheFanBound()
    {
        Assert.Equal(Math.Sqrt(6.0 / (200 + 10000)), Initializers.GlorotBound(200, 10000), 1e-7);
        var w = new Tensor(30, 70);
        Initializers.GlorotUniform(w, new RandomGenerator(4));
        float bound = (float)Math.Sqrt(6.0 / 100);
        float[] v = w.Span.ToArray();
        Assert.All(v, x => Assert.InRange(x, -bound, bound));
        Assert.True(v.Max() > 0.95f * bound && v.Min() < -0.95f * bound);
    }
}
