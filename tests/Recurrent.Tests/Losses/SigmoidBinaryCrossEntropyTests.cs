using Recurrent.Losses;
using Recurrent.Tensors;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Losses;

public class SigmoidBinaryCrossEntropyTests
{
    [Fact]
    public void LossesMatchTheTextbookFormulaInDouble()
    {
        const int n = 40;
        float[] x = Reference.RandomArray(n, 1, -15f, 15f);
        float[] y = Enumerable.Range(0, n).Select(i => (float)(i % 2)).ToArray();
        float[] w = Enumerable.Range(0, n).Select(i => i % 7 == 0 ? 0f : 1.5f).ToArray();
        var loss = new SigmoidBinaryCrossEntropy();
        double sum = loss.Compute(new Tensor(x, n), y, w);
        var expected = new double[n];
        for (int i = 0; i < n; i++)
        {
            double p = 1 / (1 + Math.Exp(-(double)x[i]));
            expected[i] = -w[i] * (y[i] * Math.Log(p) + (1 - y[i]) * Math.Log(1 - p));
        }
        // 1 − p loses digits in double for x near 15 (p ≈ 1 − 3e-7): relative 1e-8 of the reference is still plenty.
        Reference.AssertClose(expected, loss.Losses.Span, relative: 1e-5, absolute: 1e-6);
        Assert.Equal(expected.Sum(), sum, 1e-4);
        Assert.Equal(w.Sum(v => (double)v), loss.WeightSum, 1e-9);
        Assert.Equal(sum / loss.WeightSum, loss.Mean, 1e-12);
    }

    [Fact]
    public void ExtremeLogitsAreFinite()
    {
        float[] x = [1000f, -1000f, 1000f, -1000f, 3e38f];
        float[] y = [1f, 0f, 0f, 1f, 1f];
        var loss = new SigmoidBinaryCrossEntropy();
        var g = new Tensor(5);
        loss.Compute(new Tensor(x, 5), y, gradient: g);
        Assert.Equal(0.0, loss.Losses[0], 1e-12);
        Assert.Equal(0.0, loss.Losses[1], 1e-12);
        Assert.Equal(1000.0, loss.Losses[2], 1e-3);
        Assert.Equal(1000.0, loss.Losses[3], 1e-3);
        Assert.Equal([0f, 0f, 1f, -1f, 0f], g.Span.ToArray());
    }

    [Fact]
    public void MaskedScaledGradientMatchesFiniteDifferences()
    {
        const int n = 12;
        const float scale = 0.5f;
        float[] x = Reference.RandomArray(n, 2, -4f, 4f);
        float[] y = Enumerable.Range(0, n).Select(i => (float)((i / 2) % 2)).ToArray();
        float[] w = Enumerable.Range(0, n).Select(i => i % 4 == 3 ? 0f : 1f + i % 2).ToArray();
        var loss = new SigmoidBinaryCrossEntropy();
        var t = new Tensor(x, n);
        var g = new Tensor(n);
        loss.Compute(t, y, w, g, scale);
        float[] analytic = g.Span.ToArray();
        var probe = new SigmoidBinaryCrossEntropy();
        double Loss() => scale * probe.Compute(t, y, w);
        // Each loss term ≤ ~4.1 with weight ≤ 2 and scale 0.5: magnitude ≤ 12·4.1 ≈ 50. |σ''| ≤ 0.1, so the
        // truncation term ε²/6·w·scale·|σ''| is below ε²·0.1.
        const float eps = 1e-2f;
        FiniteDifference.AssertGradient(x, analytic, FiniteDifference.Spread(n), eps, FiniteDifference.Tolerance(50, eps, 0.1), Loss, "dlogits");
        Assert.Equal(0f, analytic[3]);
    }
}
