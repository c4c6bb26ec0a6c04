using Recurrent.Embeddings;

namespace Recurrent.Tests.Embeddings;

/// <summary>Subsampling, the dynamic window and the learning-rate schedule, each against its formula.</summary>
public class ScheduleTests
{
    [Theory]
    [InlineData(1_000_000L, 17_000_000L, 1e-4)]
    [InlineData(50_000L, 17_000_000L, 1e-4)]
    [InlineData(5L, 2_000_000L, 1e-3)]
    [InlineData(134_993L, 2_139_748L, 1e-4)]
    public void KeepProbabilityIsWord2vecsFormula(long count, long total, double sample)
    {
        double st = sample * total;
        double expected = Math.Min(1, (Math.Sqrt(count / st) + 1) * st / count);
        Assert.Equal(expected, Subsampling.KeepProbability(count, total, sample), 12);
    }

    [Fact]
    public void SubsamplingKeepsRareWordsAndEverythingWithoutSample()
    {
        // p ≥ 1 ⇔ f ≤ s·T·(3+√5)/2 ≈ 261.8 here: always kept.
        Assert.Equal(1, Subsampling.KeepProbability(100, 1_000_000, 1e-4));
        Assert.Equal(1, Subsampling.KeepProbability(261, 1_000_000, 1e-4));
        Assert.True(Subsampling.KeepProbability(262, 1_000_000, 1e-4) < 1);
        Assert.Equal(1, Subsampling.KeepProbability(999_999, 1_000_000, 0));
        ulong[] thresholds = Subsampling.Thresholds([100, 134_993, 0], 2_139_748, 1e-4);
        Assert.Equal(1UL << 32, thresholds[0]);
        Assert.Equal(Math.Round(Subsampling.KeepProbability(134_993, 2_139_748, 1e-4) * 4294967296.0), thresholds[1]);
        Assert.Equal(1UL << 32, thresholds[2]);
    }

    [Fact]
    public void LearningRateDecaysLinearlyToItsFloor()
    {
        const float alpha = 0.025f;
        const long total = 10_000_000;
        Assert.Equal(alpha, LinearDecay.At(alpha, 0, total));
        foreach (long done in (long[])[1, 2_500_000, 5_000_000, 9_000_000])
            Assert.Equal(alpha * (1 - done / (double)(total + 1)), LinearDecay.At(alpha, done, total), 1e-9);
        Assert.Equal(alpha * 1e-4, LinearDecay.At(alpha, total, total), 1e-12);
        Assert.Equal(alpha * 1e-4, LinearDecay.At(alpha, 2 * total, total), 1e-12);
    }

    [Fact]
    public void WindowSpanIsUniformOnOneToWindow()
    {
        const int window = 5, draws = 500_000;
        var random = new FastRandom(7);
        var seen = new int[window + 1];
        for (int i = 0; i < draws; i++)
        {
            int span = ContextWindow.Span(window, random.Next());
            Assert.InRange(span, 1, window);
            seen[span]++;
        }
        double expected = draws / (double)window, sd = Math.Sqrt(draws * (1.0 / window) * (1 - 1.0 / window));
        for (int b = 1; b <= window; b++) Assert.True(Math.Abs(seen[b] - expected) < 5 * sd, $"span {b}: {seen[b]} of {draws}");
    }

    private struct Recorder : IContextVisitor
    {
        public List<(int Center, int[] Before, int[] After)> Visits;

        public readonly void Visit(int center, ReadOnlySpan<int> before, ReadOnlySpan<int> after) => Visits.Add((center, before.ToArray(), after.ToArray()));
    }

    [Fact]
    public void WalkGivesEachWordTheWordsWithinItsSpan()
    {
        int[] sentence = [10, 11, 12, 13, 14, 15, 16, 17];
        const int window = 3;
        var random = new FastRandom(99);
        var replay = random; // the same stream, to recompute the spans the walk draws
        var recorder = new Recorder { Visits = [] };
        ContextWindow.Walk(sentence, window, ref random, ref recorder);
        Assert.Equal(sentence.Length, recorder.Visits.Count);
        for (int p = 0; p < sentence.Length; p++)
        {
            int span = ContextWindow.Span(window, replay.Next());
            int[] before = sentence[Math.Max(0, p - span)..p];
            int[] after = sentence[(p + 1)..Math.Min(sentence.Length, p + span + 1)];
            Assert.Equal(sentence[p], recorder.Visits[p].Center);
            Assert.Equal(before, recorder.Visits[p].Before);
            Assert.Equal(after, recorder.Visits[p].After);
        }
    }
}
