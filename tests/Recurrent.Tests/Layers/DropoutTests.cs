using Recurrent.Layers;
using Recurrent.Tensors;

namespace Recurrent.Tests.Layers;

public class DropoutTests
{
    [Fact]
    public void StandardDropoutMultipliesByAFreshInvertedMask()
    {
        var x = new Tensor(5, 4, 50);
        new RandomGenerator(1).FillUniform(x.Span, 0.5f, 1.5f);
        var dropout = new Dropout(0.75f, new RandomGenerator(2));
        var y = new Tensor(0);
        dropout.Forward(x, y);
        Assert.Equal(x.Shape, dropout.Mask.Shape);
        int kept = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float m = dropout.Mask[i];
            Assert.True(m == 0f || m == 1f / 0.75f);
            Assert.Equal(x[i] * m, y[i]);
            if (m != 0) kept++;
        }
        // 1000 Bernoulli(0.75) draws: mean 750, standard deviation ≈ 13.7; ±70 is over 5 sigma.
        Assert.InRange(kept, 680, 820);
        // Time steps get different masks.
        Assert.NotEqual(dropout.Mask.Slice(0).ToArray(), dropout.Mask.Slice(1).ToArray());

        var g = new Tensor(5, 4, 50);
        new RandomGenerator(3).FillUniform(g.Span, -1, 1);
        var dx = new Tensor(0);
        dropout.Backward(g, dx);
        for (int i = 0; i < g.Length; i++) Assert.Equal(g[i] * dropout.Mask[i], dx[i]);
    }

    [Fact]
    public void VariationalDropoutSharesOneMaskOverTime()
    {
        var x = new Tensor(6, 3, 20);
        x.Fill(1f);
        var dropout = new Dropout(0.5f, new RandomGenerator(4), variational: true);
        dropout.Forward(x, x); // in place
        Assert.Equal([3, 20], dropout.Mask.Shape);
        for (int t = 0; t < 6; t++) Assert.Equal(dropout.Mask.Span.ToArray(), x.Slice(t).ToArray());
        var g = new Tensor(6, 3, 20);
        g.Fill(3f);
        dropout.Backward(g, g);
        for (int t = 0; t < 6; t++)
            for (int i = 0; i < 60; i++) Assert.Equal(3f * dropout.Mask[i], g.Slice(t)[i]);
    }

    [Fact]
    public void EvaluationIsTheIdentity()
    {
        var x = new Tensor(2, 3, 4);
        new RandomGenerator(5).FillUniform(x.Span, -1, 1);
        var dropout = new Dropout(0.3f, new RandomGenerator(6)) { Training = false };
        var y = new Tensor(0);
        dropout.Forward(x, y);
        Assert.Equal(x.Span.ToArray(), y.Span.ToArray());
        var dx = new Tensor(0);
        dropout.Backward(x, dx);
        Assert.Equal(x.Span.ToArray(), dx.Span.ToArray());
    }

    [Fact]
    public void SameGeneratorStateGivesSameMask()
    {
        var random = new RandomGenerator(7);
        ulong[] state = random.GetState();
        var dropout = new Dropout(0.5f, random);
        var x = new Tensor(3, 2, 8);
        x.Fill(1);
        var a = new Tensor(0);
        var b = new Tensor(0);
        dropout.Forward(x, a);
        random.SetState(state);
        dropout.Forward(x, b);
        Assert.Equal(a.Span.ToArray(), b.Span.ToArray());
    }

    [Fact]
    public void StackTrainingFlagTurnsDropoutOff()
    {
        var r = new RandomGenerator(8);
        var stack = new StackedRecurrent([new Lstm("a", 2, 3, r, 0.5f), new Lstm("b", 3, 3, r, 0.5f)], 0.5f, new RandomGenerator(9));
        var plain = new StackedRecurrent([new Lstm("a", 2, 3, new RandomGenerator(8), 0.5f), new Lstm("b", 3, 3, new RandomGenerator(8), 0.5f)]);
        // Same weights: copy over, since the two stacks drew their initial values differently.
        for (int i = 0; i < stack.Parameters.Count; i++) stack.Parameters[i].Value.Span.CopyTo(plain.Parameters[i].Value.Span);
        var x = new Tensor(3, 2, 2);
        new RandomGenerator(10).FillUniform(x.Span, -1, 1);
        var y1 = new Tensor(0);
        var y2 = new Tensor(0);
        stack.Training = false;
        stack.Forward(x, stack.CreateState(2), y1, stack.CreateState(2));
        plain.Forward(x, plain.CreateState(2), y2, plain.CreateState(2));
        Assert.Equal(y2.Span.ToArray(), y1.Span.ToArray());
        stack.Training = true;
        stack.Forward(x, stack.CreateState(2), y1, stack.CreateState(2));
        Assert.NotEqual(y2.Span.ToArray(), y1.Span.ToArray());
    }

    [Theory]
    [InlineData(3, false)] // [time, batch, features]: a mask per step
    [InlineData(3, true)]  // variational: one [batch, features] mask
    [InlineData(2, false)] // [batch, features]
    public void ShardsCutTheirRowsFromTheWholeBatchsMask(int rank, bool variational)
    {
        const int steps = 4, total = 7, features = 5;
        Tensor Input(int rows) => rank == 3 ? new Tensor(steps, rows, features) : new Tensor(rows, features);
        var wholeRandom = new RandomGenerator(11);
        var whole = new Dropout(0.5f, wholeRandom, variational);
        var all = Input(total);
        all.Fill(1f);
        whole.Forward(all, all);

        // Three shards of rows [0, 3), [3, 5), [5, 7), each with its own generator in the same state, as ranks have.
        foreach ((int first, int rows) in new[] { (0, 3), (3, 2), (5, 2) })
        {
            var random = new RandomGenerator(11);
            var part = new Dropout(0.5f, random, variational);
            var x = Input(rows);
            x.Fill(1f);
            using (Dropout.DrawForRows(first, total)) part.Forward(x, x);
            int blocks = rank == 3 ? steps : 1;
            for (int b = 0; b < blocks; b++)
            for (int r = 0; r < rows; r++)
            for (int f = 0; f < features; f++)
                Assert.Equal(all[(b * total + first + r) * features + f], x[(b * rows + r) * features + f]);
            // The generator advanced as for the whole batch.
            Assert.Equal(wholeRandom.GetState(), random.GetState());
        }
    }
}
