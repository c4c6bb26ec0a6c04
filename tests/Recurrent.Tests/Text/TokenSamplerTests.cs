using Recurrent.Tensors;
using Recurrent.Text;

namespace Recurrent.Tests.Text;

public class TokenSamplerTests
{
    private static readonly float[] Known = [0.02f, 0.30f, 0.05f, 0.01f, 0.25f, 0.12f, 0.0f, 0.15f, 0.06f, 0.04f];

    private static int[] Counts(TokenSampler sampler, ReadOnlySpan<float> p, int draws)
    {
        var counts = new int[p.Length];
        for (int i = 0; i < draws; i++) counts[sampler.Sample(p)]++;
        return counts;
    }

    /// <summary>Each count within 5 binomial standard deviations (plus one) of <c>draws · q</c>.</summary>
    private static void AssertMatches(double[] q, int[] counts, int draws)
    {
        for (int i = 0; i < q.Length; i++)
        {
            double expected = draws * q[i];
            double tolerance = 5 * Math.Sqrt(draws * q[i] * (1 - q[i])) + 1;
            Assert.True(Math.Abs(counts[i] - expected) <= tolerance,
                $"token {i}: drawn {counts[i]} times, expected {expected:F1} ± {tolerance:F1}");
        }
    }

    [Fact]
    public void SameSeedSameDraws()
    {
        int[] a = Enumerable.Range(0, 500).Select(_ => 0).ToArray();
        var s1 = new TokenSampler(42, temperature: 0.8f, topK: 5);
        var s2 = new TokenSampler(42, temperature: 0.8f, topK: 5);
        var s3 = new TokenSampler(43, temperature: 0.8f, topK: 5);
        int[] d1 = a.Select(_ => s1.Sample(Known)).ToArray();
        int[] d2 = a.Select(_ => s2.Sample(Known)).ToArray();
        int[] d3 = a.Select(_ => s3.Sample(Known)).ToArray();
        Assert.Equal(d1, d2);
        Assert.NotEqual(d1, d3);
    }

    [Fact]
    public void TemperatureOneSamplesTheDistribution()
    {
        const int draws = 50_000;
        int[] counts = Counts(new TokenSampler(1), Known, draws);
        double sum = Known.Sum(x => (double)x);
        AssertMatches(Known.Select(x => x / sum).ToArray(), counts, draws);
        Assert.Equal(0, counts[6]); // probability 0 is never drawn
    }

    [Theory]
    [InlineData(0.5f)]
    [InlineData(2.0f)]
    public void TemperatureSamplesPowerOfOneOverT(float temperature)
    {
        // TF for Machine Intelligence: exp(log(p) / T) normalised, computed independently in double.
        double[] q = Known.Select(p => p > 0 ? Math.Exp(Math.Log(p) / temperature) : 0.0).ToArray();
        double total = q.Sum();
        q = q.Select(x => x / total).ToArray();
        const int draws = 50_000;
        AssertMatches(q, Counts(new TokenSampler(7, temperature), Known, draws), draws);
    }

    [Fact]
    public void TopKNeverLeavesTheKBestAndRenormalises()
    {
        const int k = 3, draws = 50_000;
        int[] counts = Counts(new TokenSampler(3, topK: k), Known, draws);
        // The three best are ids 1 (0.30), 4 (0.25) and 7 (0.15).
        int[] best = [1, 4, 7];
        for (int i = 0; i < Known.Length; i++)
            if (!best.Contains(i)) Assert.Equal(0, counts[i]);
        double[] q = new double[Known.Length];
        foreach (int i in best) q[i] = Known[i] / 0.70;
        AssertMatches(q, counts, draws);
    }

    [Fact]
    public void TopKOverRandomDistributionsStaysInsideTheK()
    {
        var random = new RandomGenerator(11);
        var p = new float[50];
        var sampler = new TokenSampler(5, temperature: 1.3f, topK: 4);
        for (int trial = 0; trial < 200; trial++)
        {
            random.FillUniform(p, 0f, 1f);
            float fourth = p.OrderDescending().ElementAt(3);
            for (int draw = 0; draw < 20; draw++)
                Assert.True(p[sampler.Sample(p)] >= fourth);
        }
    }

    [Fact]
    public void TopKTiesKeepTheLowestIds()
    {
        float[] flat = [0.2f, 0.2f, 0.2f, 0.2f, 0.2f];
        int[] counts = Counts(new TokenSampler(9, topK: 2), flat, 2000);
        Assert.Equal(0, counts[2] + counts[3] + counts[4]);
        Assert.True(counts[0] > 800 && counts[1] > 800);
    }

    [Fact]
    public void NearZeroTemperatureIsGreedy()
    {
        var random = new RandomGenerator(21);
        var cold = new TokenSampler(1, temperature: 1e-3f);
        var greedy = new TokenSampler(1, greedy: true);
        var p = new float[30];
        for (int trial = 0; trial < 300; trial++)
        {
            // Distinct values at least 5% apart, so p^(1/T) leaves only the largest above underflow.
            for (int i = 0; i < p.Length; i++) p[i] = MathF.Pow(1.05f, i) * 1e-3f;
            for (int i = p.Length - 1; i > 0; i--) { int j = random.NextInt(i + 1); (p[i], p[j]) = (p[j], p[i]); }
            int expected = Array.IndexOf(p, p.Max());
            Assert.Equal(expected, greedy.Sample(p));
            Assert.Equal(expected, cold.Sample(p));
        }
    }

    [Fact]
    public void GreedyTakesTheFirstOfEqualMaxima()
    {
        Assert.Equal(1, new TokenSampler(1, greedy: true).Sample([0.1f, 0.4f, 0.1f, 0.4f]));
        Assert.Equal(1, TokenSampler.ArgMax([0.1f, 0.4f, 0.1f, 0.4f]));
    }

    [Fact]
    public void SamplingAllocatesNothing()
    {
        var sampler = new TokenSampler(1, temperature: 0.7f, topK: 5);
        float[] p = new float[1000];
        new RandomGenerator(2).FillUniform(p, 0f, 1f);
        sampler.Sample(p); // sizes the scratch buffers
        long before = GC.GetAllocatedBytesForCurrentThread();
        int sum = 0;
        for (int i = 0; i < 1000; i++) sum += sampler.Sample(p);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sum > 0);
    }

    [Fact]
    public void BadSettingsAndVectorsAreRefused()
    {
        Assert.Throws<RecurrentException>(() => new TokenSampler(1, temperature: 0f));
        Assert.Throws<RecurrentException>(() => new TokenSampler(1, temperature: -1f));
        Assert.Throws<RecurrentException>(() => new TokenSampler(1, temperature: float.NaN));
        Assert.Throws<RecurrentException>(() => new TokenSampler(1, topK: -1));
        Assert.Throws<ArgumentException>(() => new TokenSampler(1).Sample([0f, 0f]));
        Assert.Throws<ArgumentException>(() => new TokenSampler(1).Sample([]));
    }
}
