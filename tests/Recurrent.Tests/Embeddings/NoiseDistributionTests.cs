using Recurrent.Embeddings;

namespace Recurrent.Tests.Embeddings;

/// <summary>The noise table against its formula P(w) = c(w)^0.75 / Σ c^0.75.</summary>
public class NoiseDistributionTests
{
    private static readonly long[] Counts = [5000, 1200, 1200, 800, 77, 30, 5, 1, 0, 3, 250_000, 9];

    private static double Formula(int w)
    {
        double sum = Counts.Sum(c => Math.Pow(c, 0.75));
        return Math.Pow(Counts[w], 0.75) / sum;
    }

    [Fact]
    public void TableProbabilitiesAreTheFormula()
    {
        var noise = new NoiseDistribution(Counts);
        for (int w = 0; w < Counts.Length; w++)
            Assert.True(Math.Abs(noise.Probability(w) - Formula(w)) < 1e-9, $"word {w}: table {noise.Probability(w)}, formula {Formula(w)}");
        Assert.Equal(0, noise.Probability(8)); // a word never seen is never noise
    }

    [Fact]
    public void SampledFrequenciesFollowTheFormula()
    {
        var noise = new NoiseDistribution(Counts);
        var random = new FastRandom(42);
        const int draws = 2_000_000;
        var seen = new int[Counts.Length];
        for (int i = 0; i < draws; i++) seen[noise.Sample(random.Next())]++;
        for (int w = 0; w < Counts.Length; w++)
        {
            double p = Formula(w);
            double sd = Math.Sqrt(draws * p * (1 - p));
            Assert.True(Math.Abs(seen[w] - draws * p) <= 5 * sd + 1, $"word {w}: {seen[w]} draws, expected {draws * p:F0} ± {sd:F0}");
        }
    }

    [Fact]
    public void OtherPowersAndSingleWords()
    {
        var uniform = new NoiseDistribution([3, 300, 30_000], power: 0);
        for (int w = 0; w < 3; w++) Assert.Equal(1.0 / 3, uniform.Probability(w), 9);
        var one = new NoiseDistribution([7]);
        Assert.Equal(0, one.Sample(0xFFFF_FFFF_FFFF_FFFFUL));
        Assert.Throws<ArgumentException>(() => new NoiseDistribution([0, 0]));
    }
}
