using Recurrent.Embeddings;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Embeddings;

/// <summary>NCE as tf.nn.nce_loss: the sampler, the batch gradient against finite differences, and the momentum step.</summary>
public class NceTests
{
    private const int V = 12, D = 7, B = 5, K = 4;

    private static (NceBatch Batch, double[] LabelLog, double[] SampledLog) NewBatch(ulong seed)
    {
        var batch = new NceBatch(D, B, K, V);
        int[] inputs = [3, 3, 0, 11, 5], labels = [1, 2, 1, 0, 9];
        inputs.CopyTo(batch.Inputs, 0);
        labels.CopyTo(batch.Labels, 0);
        batch.Count = B;
        var random = new FastRandom(seed);
        batch.DrawNoise(new LogUniformSampler(V), ref random);
        (float[] label, float[] sampled) = batch.LogExpectedCounts;
        return (batch, label.Take(B).Select(x => (double)x).ToArray(), sampled.Select(x => (double)x).ToArray());
    }

    [Fact]
    public void BatchGradientMatchesFiniteDifferences()
    {
        (NceBatch batch, double[] labelLog, double[] sampledLog) = NewBatch(9);
        float[] e = Reference.RandomArray(V * D, 1), w = Reference.RandomArray(V * D, 2), b = Reference.RandomArray(V, 3, -0.5f, 0.5f);
        int[] inputs = batch.Inputs.ToArray(), labels = batch.Labels.ToArray(), sampled = batch.Sampled.ToArray();
        Func<double> loss = () => NoiseContrastiveEstimation.Loss(e, w, b, D, inputs, labels, sampled, labelLog, sampledLog);

        double computed = batch.ComputeGradients(e, w, b);
        Assert.Equal(loss(), computed, 4);

        var ge = new float[V * D];
        var gw = new float[V * D];
        var gb = new float[V];
        for (int r = 0; r < batch.EmbeddingRowCount; r++)
            batch.EmbeddingGradients.AsSpan(r * D, D).CopyTo(ge.AsSpan(batch.EmbeddingRows[r] * D, D));
        for (int r = 0; r < batch.WeightRowCount; r++)
        {
            batch.WeightGradients.AsSpan(r * D, D).CopyTo(gw.AsSpan(batch.WeightRows[r] * D, D));
            gb[batch.WeightRows[r]] = batch.BiasGradients[r];
        }
        Assert.Equal(4, batch.EmbeddingRowCount); // inputs 3, 0, 11, 5
        const float eps = 1e-3f;
        FiniteDifference.AssertGradient(e, ge, Enumerable.Range(0, V * D), eps, 2e-5, loss, "∂L/∂embeddings");
        FiniteDifference.AssertGradient(w, gw, Enumerable.Range(0, V * D), eps, 2e-5, loss, "∂L/∂weights");
        FiniteDifference.AssertGradient(b, gb, Enumerable.Range(0, V), eps, 2e-5, loss, "∂L/∂biases");
    }

    [Fact]
    public void MomentumUpdatesOnlyTheTouchedRows()
    {
        (NceBatch batch, _, _) = NewBatch(4);
        float[] e = Reference.RandomArray(V * D, 1), w = Reference.RandomArray(V * D, 2), b = Reference.RandomArray(V, 3);
        float[] e0 = e.ToArray(), w0 = w.ToArray(), b0 = b.ToArray();
        var ae = new float[V * D];
        var aw = new float[V * D];
        var ab = new float[V];
        batch.ComputeGradients(e, w, b);
        const float lr = 0.3f, mu = 0.5f;
        batch.ApplyMomentum(e, w, b, ae, aw, ab, lr, mu);
        batch.ApplyMomentum(e, w, b, ae, aw, ab, lr, mu); // the same gradient again: a = μ·g + g
        var touched = new HashSet<int>(batch.EmbeddingRows.Take(batch.EmbeddingRowCount));
        for (int row = 0; row < V; row++)
        {
            int slot = Array.IndexOf(batch.EmbeddingRows, row, 0, batch.EmbeddingRowCount);
            for (int k = 0; k < D; k++)
            {
                float g = slot >= 0 ? batch.EmbeddingGradients[slot * D + k] : 0;
                Assert.Equal(e0[row * D + k] - lr * g - lr * (mu * g + g), e[row * D + k], 5);
                if (!touched.Contains(row)) Assert.Equal(0, ae[row * D + k]);
            }
            int wslot = Array.IndexOf(batch.WeightRows, row, 0, batch.WeightRowCount);
            float gb = wslot >= 0 ? batch.BiasGradients[wslot] : 0;
            Assert.Equal(b0[row] - lr * gb - lr * (mu * gb + gb), b[row], 5);
            if (wslot < 0) Assert.Equal(w0.AsSpan(row * D, D).ToArray(), w.AsSpan(row * D, D).ToArray());
        }
    }

    [Fact]
    public void LogUniformSamplerIsTensorFlowsDistribution()
    {
        const int range = 50;
        var sampler = new LogUniformSampler(range);
        double sum = 0;
        for (int w = 0; w < range; w++)
        {
            double q = (Math.Log(w + 2.0) - Math.Log(w + 1.0)) / Math.Log(range + 1.0);
            Assert.Equal(q, sampler.Probability(w), 12);
            sum += q;
        }
        Assert.Equal(1, sum, 9);

        var random = new FastRandom(3);
        const int draws = 400_000;
        var seen = new int[range];
        for (int i = 0; i < draws; i++) seen[sampler.Sample(random.Next())]++;
        for (int w = 0; w < range; w++)
        {
            double p = sampler.Probability(w), sd = Math.Sqrt(draws * p * (1 - p));
            Assert.True(Math.Abs(seen[w] - draws * p) < 5 * sd + 1, $"id {w}: {seen[w]} draws, expected {draws * p:F0}");
        }

        Span<int> unique = stackalloc int[20];
        int tries = sampler.SampleUnique(ref random, unique);
        Assert.Equal(20, unique.ToArray().Distinct().Count());
        Assert.True(tries >= 20);
        Assert.Equal(0.3 * 20, LogUniformSampler.ExpectedCount(0.3, 20, 20), 12);
        Assert.Equal(1 - Math.Pow(1 - 0.3, 27), LogUniformSampler.ExpectedCount(0.3, 20, 27), 12);
        Assert.Equal(1 - Math.Pow(1 - 1e-4, 27), LogUniformSampler.ExpectedCount(1e-4, 20, 27), 12);
    }
}
