using Recurrent.Losses;
using Recurrent.Tensors;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Losses;

public class SoftmaxCrossEntropyTests
{
    /// <summary>Independent double reference: per-row w·(log Σ e^x − x_t), via max-shifted log-sum-exp.</summary>
    private static double[] ReferenceRowLosses(float[] logits, int[] targets, float[]? weights)
    {
        int n = targets.Length, v = logits.Length / n;
        var losses = new double[n];
        for (int r = 0; r < n; r++)
        {
            double w = weights?[r] ?? 1.0;
            if (w == 0) continue;
            double max = double.NegativeInfinity;
            for (int j = 0; j < v; j++) max = Math.Max(max, logits[r * v + j]);
            double s = 0;
            for (int j = 0; j < v; j++) s += Math.Exp(logits[r * v + j] - max);
            losses[r] = w * (max + Math.Log(s) - logits[r * v + targets[r]]);
        }
        return losses;
    }

    [Fact]
    public void LossesMatchDoubleReferenceWithWeights()
    {
        const int n = 37, v = 1000; // enough rows to be split across threads
        float[] logits = Reference.RandomArray(n * v, 1, -8f, 8f);
        var random = new RandomGenerator(2);
        int[] targets = Enumerable.Range(0, n).Select(_ => random.NextInt(v)).ToArray();
        float[] weights = Enumerable.Range(0, n).Select(i => i % 5 == 0 ? 0f : 0.5f + i % 3).ToArray();
        targets[5] = -1; // padding under a zero weight is allowed

        var loss = new SoftmaxCrossEntropy();
        double sum = loss.Compute(new Tensor(logits, n, v), targets, weights);

        double[] expected = ReferenceRowLosses(logits, targets, weights);
        Reference.AssertClose(expected, loss.RowLosses.Span, relative: 2e-6, absolute: 1e-6);
        double expectedSum = expected.Sum();
        double expectedWeight = weights.Sum(w => (double)w);
        Assert.Equal(expectedSum, sum, 1e-5 * expectedSum);
        Assert.Equal(sum, loss.Sum);
        Assert.Equal(expectedWeight, loss.WeightSum, 1e-9);
        Assert.Equal(expectedSum / expectedWeight, loss.Mean, 1e-5 * loss.Mean);
    }

    [Fact]
    public void UnweightedMeanIsOverRows()
    {
        float[] logits = [0f, 0f, 0f, 0f, 1f, 2f, 3f, 4f];
        var loss = new SoftmaxCrossEntropy();
        loss.Compute(new Tensor(logits, 2, 4), [1, 3]);
        double l0 = Math.Log(4), l1 = Math.Log(Math.Exp(-3) + Math.Exp(-2) + Math.Exp(-1) + 1);
        Assert.Equal(l0 + l1, loss.Sum, 1e-6);
        Assert.Equal((l0 + l1) / 2, loss.Mean, 1e-6);
        Assert.Equal(2, loss.WeightSum);
    }

    [Fact]
    public void HugeLogitsGiveFiniteLossAndGradient()
    {
        // Row 0's loss, 2e30, is representable; logits like ±3e38 would make the true loss exceed float's range.
        float[] logits = [1e30f, -1e30f, 0f, 1e4f, 1e4f - 2f, -1e4f];
        var loss = new SoftmaxCrossEntropy();
        var grad = new Tensor(2, 3);
        loss.Compute(new Tensor(logits, 2, 3), [1, 0], gradient: grad);
        Assert.True(double.IsFinite(loss.Sum));
        Assert.All(grad.Span.ToArray(), g => Assert.True(float.IsFinite(g)));
        // Row 1: loss = log(1 + e^-2 + e^-2e4) ≈ log(1 + e^-2).
        Assert.Equal(Math.Log(1 + Math.Exp(-2)), loss.RowLosses[1], 1e-6);
        Assert.Equal(2e30, loss.RowLosses[0], 2e30 * 1e-7);
        Assert.Equal(1f, grad[0, 0]); // softmax ≈ [1, 0, 0], target 1 → g = [1, −1, 0]
        Assert.Equal(-1f, grad[0, 1]);
    }

    [Fact]
    public void MaskedScaledGradientMatchesFiniteDifferences()
    {
        const int n = 5, v = 7;
        const float scale = 0.25f;
        float[] logits = Reference.RandomArray(n * v, 3, -2f, 2f);
        int[] targets = [0, 6, 3, 3, 2];
        float[] weights = [1f, 0f, 2f, 0.5f, 1f];
        var loss = new SoftmaxCrossEntropy();
        var x = new Tensor(logits, n, v);
        var grad = new Tensor(1);
        loss.Compute(x, targets, weights, grad, scale);
        Assert.Equal([n, v], grad.Shape);
        float[] analytic = grad.Span.ToArray();
        var probe = new SoftmaxCrossEntropy();
        double Loss() => scale * probe.Compute(x, targets, weights);
        // Terms: row losses of size ≤ ~4 with weights ≤ 2, scaled by 1/4: magnitude ≤ 5·4·2·0.25 = 10 (including
        // the intermediate log-sum-exp). Truncation: |∂³L/∂x³| ≤ w·scale·(max |third derivative of log-sum-exp| ≤ 1) ≤ 0.5; ε²/6 folded in.
        const float eps = 1e-2f;
        double tol = FiniteDifference.Tolerance(10, eps, curvature: 0.5);
        FiniteDifference.AssertGradient(x.Data, analytic, FiniteDifference.Spread(n * v), eps, tol, Loss, "dlogits");
        // The masked row has exactly zero gradient.
        for (int j = 0; j < v; j++) Assert.Equal(0f, analytic[1 * v + j]);
        // Gradient rows of unmasked rows sum to zero (softmax sums to one).
        Assert.Equal(0, analytic.AsSpan(2 * v, v).ToArray().Sum(), 1e-6);
    }

    [Fact]
    public void InPlaceGradientEqualsSeparateGradient()
    {
        const int n = 9, v = 33;
        float[] logits = Reference.RandomArray(n * v, 4, -5f, 5f);
        int[] targets = Enumerable.Range(0, n).Select(i => (i * 7) % v).ToArray();
        var loss = new SoftmaxCrossEntropy();
        var separate = new Tensor(n, v);
        double sum1 = loss.Compute(new Tensor((float[])logits.Clone(), n, v), targets, gradient: separate, gradientScale: 0.5f);
        var inPlace = new Tensor(logits, n, v);
        double sum2 = loss.Compute(inPlace, targets, gradient: inPlace, gradientScale: 0.5f);
        Assert.Equal(sum1, sum2);
        Assert.Equal(separate.Span.ToArray(), inPlace.Span.ToArray());
    }

    [Fact]
    public void BiasIsAddedToEveryRowBeforeTheLoss()
    {
        const int n = 7, v = 45;
        float[] logits = Reference.RandomArray(n * v, 8, -4f, 4f);
        float[] bias = Reference.RandomArray(v, 9, -2f, 2f);
        int[] targets = Enumerable.Range(0, n).Select(i => (i * 11) % v).ToArray();
        float[] withBias = (float[])logits.Clone();
        for (int r = 0; r < n; r++)
        for (int j = 0; j < v; j++) withBias[r * v + j] += bias[j];
        var loss = new SoftmaxCrossEntropy();
        var expectedGradient = new Tensor(n, v);
        double expected = loss.Compute(new Tensor(withBias, n, v), targets, gradient: expectedGradient, gradientScale: 0.25f);

        var folded = new Tensor((float[])logits.Clone(), n, v);
        double actual = loss.Compute(folded, targets, gradient: folded, gradientScale: 0.25f, bias: bias);
        Assert.Equal(expected, actual);
        Assert.Equal(expectedGradient.Span.ToArray(), folded.Span.ToArray());
        Assert.Throws<ArgumentException>(() => loss.Compute(new Tensor(n, v), targets, bias: new float[v - 1]));
    }

    [Fact]
    public void ReportsBadTargetsAndShapes()
    {
        var loss = new SoftmaxCrossEntropy();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => loss.Compute(new Tensor(2, 3), [0, 3]));
        Assert.Contains("row 1", ex.Message);
        Assert.Throws<ArgumentException>(() => loss.Compute(new Tensor(2, 3), [0, 1, 2, 0]));
        Assert.Throws<ArgumentException>(() => loss.Compute(new Tensor(2, 3), [0, 1], [1f]));
    }
}
