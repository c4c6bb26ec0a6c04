using Recurrent.Layers;
using Recurrent.Optimizers;
using Recurrent.Tensors;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Layers;

public class EmbeddingTests
{
    private static Embedding Create(int vocab, int dim, ulong seed)
    {
        var e = new Embedding(vocab, dim);
        Initializers.Uniform(e.Weight.Value, 1f, new RandomGenerator(seed));
        return e;
    }

    [Fact]
    public void ForwardCopiesRowsAndKeepsRank3Output()
    {
        var e = Create(10, 4, 1);
        int[] ids = [3, 0, 9, 3, 5, 1];
        var output = new Tensor(3, 2, 4); // [time, batch, dim]
        e.Forward(ids, output);
        Assert.Equal([3, 2, 4], output.Shape);
        for (int i = 0; i < ids.Length; i++)
            for (int j = 0; j < 4; j++)
                Assert.Equal(e.Weight.Value[ids[i], j], output.Span[i * 4 + j]);

        var other = new Tensor(1);
        e.Forward(ids, other);
        Assert.Equal([6, 4], other.Shape);
    }

    [Fact]
    public void InvalidIdThrowsWithPosition()
    {
        var e = new Embedding(10, 4);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => e.Forward([1, 10], new Tensor(2, 4)));
        Assert.Contains("10", ex.Message);
        Assert.Contains("position 1", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => e.Backward([-1], new Tensor(1, 4)));
    }

    [Fact]
    public void GradientMatchesFiniteDifferencesWithRepeatedIds()
    {
        const int vocab = 7, dim = 5;
        var e = Create(vocab, dim, 2);
        int[] ids = [2, 4, 2, 6, 2, 0];
        float[] r = Reference.RandomArray(ids.Length * dim, 3);
        var output = new Tensor(ids.Length, dim);
        double Loss()
        {
            e.Forward(ids, output);
            double l = 0;
            for (int i = 0; i < r.Length; i++) l += (double)r[i] * output.Span[i];
            return l;
        }
        e.Backward(ids, new Tensor(r, ids.Length, dim));
        // L is linear in W, so there is no truncation error; the forward only copies, so L has no float rounding
        // beyond the double sum: a generous rounding bound on Σ|r·y| ≤ 30 suffices.
        const float eps = 1e-2f;
        FiniteDifference.AssertGradient(e.Weight.Value.Data, e.Weight.Gradient.Data, FiniteDifference.Spread(vocab * dim),
            eps, FiniteDifference.Tolerance(30, eps), Loss, "dW");
        // Row 2 appears three times: its gradient is the sum of three rows of r.
        Assert.Equal((double)r[0 * dim] + r[2 * dim] + r[4 * dim], e.Weight.Gradient[2, 0], 1e-6);
        Assert.Equal([0, 2, 4, 6], e.Weight.SparseRows!.Order());
        Assert.Equal(4, e.Weight.SparseRows!.Count); // distinct
    }

    [Fact]
    public void BackwardAccumulatesAndZeroingClearsOnlyListedRowsAndTheList()
    {
        var e = Create(6, 3, 4);
        var dy = new Tensor(Reference.RandomArray(6, 5), 2, 3);
        e.Backward([1, 4], dy);
        e.Backward([4, 1], dy);
        Assert.Equal(dy[0, 0] + dy[1, 0], e.Weight.Gradient[1, 0], 1e-6);
        Assert.Equal([1, 4], e.Weight.SparseRows!.Order());

        ParameterGradients.Zero(e.Weight);
        Assert.Empty(e.Weight.SparseRows!);
        Assert.All(e.Weight.Gradient.Span.ToArray(), v => Assert.Equal(0f, v));

        // After zeroing, the membership index must not think row 4 or 1 is still listed.
        e.Backward([4, 3], dy);
        Assert.Equal([3, 4], e.Weight.SparseRows!.Order());
        Assert.Equal(dy[0, 2], e.Weight.Gradient[4, 2]);
        Assert.Equal(0f, e.Weight.Gradient[1, 2]);
    }

    [Fact]
    public void ZeroingADenseGradientClearsEverything()
    {
        var p = new Parameter("w", new Tensor(3, 2));
        p.Gradient.Fill(2f);
        ParameterGradients.Zero([p]);
        Assert.All(p.Gradient.Span.ToArray(), v => Assert.Equal(0f, v));
    }
}
