using Recurrent.Embeddings;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Embeddings;

/// <summary>Negative sampling's loss, gradient and SGD step for one example.</summary>
public class NegativeSamplingTests
{
    private const int Rows = 9;

    // The word to predict first, then noise words: one drawn twice, one equal to the word to predict.
    private static readonly int[] Targets = [4, 1, 7, 1, 4, 0];

    [Theory]
    [InlineData(37)]  // AVX-512 vectors, an AVX2 vector and a scalar tail
    [InlineData(200)] // the measured size
    public void GradientMatchesFiniteDifferences(int dimension)
    {
        float[] h = Reference.RandomArray(dimension, 1, -0.5f, 0.5f);
        float[] output = Reference.RandomArray(Rows * dimension, 2, -0.5f, 0.5f);
        var dh = new double[dimension];
        var dOutput = new double[Rows * dimension];
        NegativeSampling.Gradient(h, output, dimension, Targets, dh, dOutput);

        const float eps = 1e-3f;
        Func<double> loss = () => NegativeSampling.Loss(h, output, dimension, Targets);
        foreach (int i in FiniteDifference.Spread(dimension, 40))
        {
            double numeric = FiniteDifference.Derivative(h, i, eps, loss);
            Assert.True(Math.Abs(numeric - dh[i]) < 1e-5, $"∂L/∂h[{i}]: analytic {dh[i]}, numeric {numeric}");
        }
        foreach (int i in FiniteDifference.Spread(Rows * dimension, 120))
        {
            double numeric = FiniteDifference.Derivative(output, i, eps, loss);
            Assert.True(Math.Abs(numeric - dOutput[i]) < 1e-5, $"∂L/∂o[{i / dimension}][{i % dimension}]: analytic {dOutput[i]}, numeric {numeric}");
        }
        // Rows that are no target get no gradient; the repeated noise word gets both shares.
        Assert.All(Enumerable.Range(2 * dimension, dimension), i => Assert.Equal(0, dOutput[i]));
        Assert.Contains(Enumerable.Range(dimension, dimension), i => dOutput[i] != 0);
    }

    [Theory]
    [InlineData(37)]
    [InlineData(200)]
    public void StepIsSgdOnTheExampleLoss(int dimension)
    {
        const float alpha = 0.2f;
        float[] h = Reference.RandomArray(dimension, 3, -0.5f, 0.5f);
        float[] output = Reference.RandomArray(Rows * dimension, 4, -0.5f, 0.5f);
        var dh = new double[dimension];
        var dOutput = new double[Rows * dimension];
        NegativeSampling.Gradient(h, output, dimension, Targets, dh, dOutput);
        double[] expectedH = h.Select((v, i) => v - alpha * dh[i]).ToArray();
        double[] expectedOutput = output.Select((v, i) => v - alpha * dOutput[i]).ToArray();

        NegativeSampling.Step(h, output, dimension, Targets, alpha);

        Reference.AssertClose(expectedH, h, 1e-5, 1e-6, "h after the step");
        Reference.AssertClose(expectedOutput, output, 1e-5, 1e-6, "output rows after the step");
    }

    [Fact]
    public void LossFallsWhenStepsRepeat()
    {
        const int dimension = 24;
        float[] h = Reference.RandomArray(dimension, 5, -0.5f, 0.5f);
        float[] output = Reference.RandomArray(Rows * dimension, 6, -0.5f, 0.5f);
        double before = NegativeSampling.Loss(h, output, dimension, Targets);
        for (int i = 0; i < 50; i++) NegativeSampling.Step(h, output, dimension, Targets, 0.1f);
        double after = NegativeSampling.Loss(h, output, dimension, Targets);
        Assert.True(after < 0.5 * before, $"loss {before} → {after}");
    }
}
