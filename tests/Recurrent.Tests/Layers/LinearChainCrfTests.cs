using Recurrent.Layers;
using Recurrent.Tensors;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Layers;

public class LinearChainCrfTests
{
    /// <summary>What brute-force enumeration of every allowed tag sequence of one sentence gives, in double.</summary>
    private sealed class Enumerated
    {
        public double LogZ, GoldScore, BestScore, SecondScore;
        public int[] Best = [];
        public double[] Emissions = [], Transitions = [], Start = [], End = []; // ∂NLL/∂·
    }

    /// <summary>
    /// Scores all K^L sequences of sequence b directly from the definition (no dynamic programming), keeping only
    /// those the constraints allow; the gradients are expected feature counts minus gold counts.
    /// </summary>
    private static Enumerated Enumerate(LinearChainCrf crf, float[] x, int steps, int batch, int b, int length, int[] gold, TransitionConstraints? constraints)
    {
        int k = crf.TagCount;
        float[] a = crf.Transitions.Value.Span.ToArray(), s = crf.StartTransitions.Value.Span.ToArray(), e = crf.EndTransitions.Value.Span.ToArray();
        double Emission(int t, int j) => x[(t * batch + b) * k + j];
        var y = new int[length];
        var goldTags = new int[length];
        for (int t = 0; t < length; t++) goldTags[t] = gold[t * batch + b];

        double Score(int[] tags)
        {
            double score = s[tags[0]] + e[tags[^1]];
            for (int t = 0; t < tags.Length; t++) score += Emission(t, tags[t]);
            for (int t = 1; t < tags.Length; t++) score += a[tags[t - 1] * k + tags[t]];
            return score;
        }

        var sequences = new List<(int[] Tags, double Score)>();
        int total = (int)Math.Pow(k, length);
        for (int code = 0; code < total; code++)
        {
            for (int t = 0, c = code; t < length; t++, c /= k) y[t] = c % k;
            if (constraints is not null && constraints.FirstViolation(y) >= 0) continue;
            sequences.Add(((int[])y.Clone(), Score(y)));
        }
        var r = new Enumerated
        {
            Emissions = new double[steps * k], Transitions = new double[k * k], Start = new double[k], End = new double[k],
            GoldScore = Score(goldTags),
        };
        double max = sequences.Max(p => p.Score);
        r.LogZ = max + Math.Log(sequences.Sum(p => Math.Exp(p.Score - max)));
        var ranked = sequences.OrderByDescending(p => p.Score).ToList();
        r.Best = ranked[0].Tags;
        r.BestScore = ranked[0].Score;
        r.SecondScore = ranked.Count > 1 ? ranked[1].Score : double.NegativeInfinity;
        foreach (var (tags, score) in sequences)
        {
            double p = Math.Exp(score - r.LogZ);
            for (int t = 0; t < length; t++) r.Emissions[t * k + tags[t]] += p;
            for (int t = 1; t < length; t++) r.Transitions[tags[t - 1] * k + tags[t]] += p;
            r.Start[tags[0]] += p;
            r.End[tags[^1]] += p;
        }
        for (int t = 0; t < length; t++) r.Emissions[t * k + goldTags[t]] -= 1;
        for (int t = 1; t < length; t++) r.Transitions[goldTags[t - 1] * k + goldTags[t]] -= 1;
        r.Start[goldTags[0]] -= 1;
        r.End[goldTags[^1]] -= 1;
        return r;
    }

    private static LinearChainCrf RandomCrf(int k, ulong seed, float range = 1.5f)
    {
        var crf = new LinearChainCrf(k);
        var random = new RandomGenerator(seed);
        random.FillUniform(crf.Transitions.Value.Span, -range, range);
        random.FillUniform(crf.StartTransitions.Value.Span, -range, range);
        random.FillUniform(crf.EndTransitions.Value.Span, -range, range);
        return crf;
    }

    private static int[] RandomTags(int steps, int batch, int[] lengths, int k, ulong seed, TransitionConstraints? constraints = null)
    {
        var random = new RandomGenerator(seed);
        var tags = new int[steps * batch];
        Array.Fill(tags, -1); // padding must never be read
        for (int b = 0; b < batch; b++)
        {
            var y = new int[lengths[b]];
            do
            {
                for (int t = 0; t < y.Length; t++) y[t] = random.NextInt(k);
            } while (constraints is not null && constraints.FirstViolation(y) >= 0);
            for (int t = 0; t < y.Length; t++) tags[t * batch + b] = y[t];
        }
        return tags;
    }

    public static TheoryData<int, ulong> Sizes => new() { { 3, 1 }, { 4, 2 }, { 3, 3 }, { 4, 4 } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void LossAndGradientsEqualBruteForceEnumeration(int k, ulong seed)
    {
        const int steps = 5, batch = 5;
        int[] lengths = [5, 1, 3, 0, 4];
        const float scale = 0.75f;
        var crf = RandomCrf(k, seed);
        float[] x = Reference.RandomArray(steps * batch * k, seed + 10, -2f, 2f);
        int[] gold = RandomTags(steps, batch, lengths, k, seed + 20);
        // Parameter gradients accumulate: start from non-zero values.
        float[] a0 = Reference.RandomArray(k * k, seed + 30), s0 = Reference.RandomArray(k, seed + 31), e0 = Reference.RandomArray(k, seed + 32);
        a0.CopyTo(crf.Transitions.Gradient.Span);
        s0.CopyTo(crf.StartTransitions.Gradient.Span);
        e0.CopyTo(crf.EndTransitions.Gradient.Span);
        var gradient = new Tensor(1);
        gradient.Fill(float.NaN); // resized: padding rows must be written too

        double sum = crf.NegativeLogLikelihood(new Tensor(x, steps, batch, k), lengths, gold, gradient, scale);

        Assert.Equal([steps, batch, k], gradient.Shape);
        double expectedSum = 0;
        var expectedA = new double[k * k];
        var expectedS = new double[k];
        var expectedE = new double[k];
        for (int b = 0; b < batch; b++)
        {
            if (lengths[b] == 0)
            {
                Assert.Equal(0, crf.SequenceLosses[b]);
                for (int t = 0; t < steps; t++)
                    for (int j = 0; j < k; j++) Assert.Equal(0f, gradient[t, b, j]);
                continue;
            }
            Enumerated r = Enumerate(crf, x, steps, batch, b, lengths[b], gold, null);
            double nll = r.LogZ - r.GoldScore;
            Assert.True(nll > 0);
            Assert.Equal(nll, crf.SequenceLosses[b], 1e-10 * Math.Max(1, nll));
            expectedSum += nll;
            for (int t = 0; t < steps; t++)
                for (int j = 0; j < k; j++)
                    Assert.True(Math.Abs(scale * r.Emissions[t * k + j] - gradient[t, b, j]) <= 1e-6,
                        $"dx[{t}, {b}, {j}]: expected {scale * r.Emissions[t * k + j]}, got {gradient[t, b, j]}");
            for (int p = 0; p < k * k; p++) expectedA[p] += r.Transitions[p];
            for (int j = 0; j < k; j++)
            {
                expectedS[j] += r.Start[j];
                expectedE[j] += r.End[j];
            }
        }
        Assert.Equal(expectedSum, sum, 1e-10 * expectedSum);
        Assert.Equal(sum, crf.Sum);
        for (int p = 0; p < k * k; p++) Assert.Equal(a0[p] + scale * expectedA[p], crf.Transitions.Gradient[p], 2e-6);
        for (int j = 0; j < k; j++)
        {
            Assert.Equal(s0[j] + scale * expectedS[j], crf.StartTransitions.Gradient[j], 2e-6);
            Assert.Equal(e0[j] + scale * expectedE[j], crf.EndTransitions.Gradient[j], 2e-6);
        }
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        const int k = 4, steps = 5, batch = 4;
        int[] lengths = [5, 2, 1, 4];
        var crf = RandomCrf(k, 7);
        var x = new Tensor(Reference.RandomArray(steps * batch * k, 8, -2f, 2f), steps, batch, k);
        int[] gold = RandomTags(steps, batch, lengths, k, 9);
        var gradient = new Tensor(steps, batch, k);
        crf.NegativeLogLikelihood(x, lengths, gold, gradient);
        var probe = new LinearChainCrf(k);
        crf.Transitions.Value.Span.CopyTo(probe.Transitions.Value.Span);
        crf.StartTransitions.Value.Span.CopyTo(probe.StartTransitions.Value.Span);
        crf.EndTransitions.Value.Span.CopyTo(probe.EndTransitions.Value.Span);
        double Loss() => probe.NegativeLogLikelihood(x, lengths, gold);

        // L is computed in double from exact float inputs, so its rounding (≈ 1e-16 · Σ|terms| ≈ 1e-14) divided by
        // 2ε is negligible. Truncation: ε²/6 · |L'''|, where L''' is a third cumulant of a feature count in [0, 4]
        // (≤ 4³ = 64): 1e-6/6 · 64 ≈ 1.1e-5. The analytic gradient is rounded to float (|g| ≤ 4: 2.4e-7).
        const float eps = 1e-3f;
        const double tol = 1.2e-5;
        FiniteDifference.AssertGradient(x.Data, gradient.Data, FiniteDifference.Spread(x.Length, 80), eps, tol, Loss, "dx");
        FiniteDifference.AssertGradient(probe.Transitions.Value.Data, crf.Transitions.Gradient.Data, FiniteDifference.Spread(k * k), eps, tol, Loss, "dA");
        FiniteDifference.AssertGradient(probe.StartTransitions.Value.Data, crf.StartTransitions.Gradient.Data, FiniteDifference.Spread(k), eps, tol, Loss, "ds");
        FiniteDifference.AssertGradient(probe.EndTransitions.Value.Data, crf.EndTransitions.Gradient.Data, FiniteDifference.Spread(k), eps, tol, Loss, "de");
        // Padding rows of the emissions do not change the loss, and their gradient is zero.
        for (int j = 0; j < k; j++) Assert.Equal(0f, gradient[4, 1, j]);
    }

    [Theory]
    [InlineData(3, 11ul)]
    [InlineData(4, 12ul)]
    [InlineData(4, 13ul)]
    public void ViterbiEqualsBruteForceArgmax(int k, ulong seed)
    {
        const int steps = 5, batch = 6;
        int[] lengths = [5, 1, 2, 3, 4, 0];
        var crf = RandomCrf(k, seed, 2f);
        float[] x = Reference.RandomArray(steps * batch * k, seed + 1, -2f, 2f);
        var decoded = new int[steps * batch];
        crf.Decode(new Tensor(x, steps, batch, k), lengths, decoded);
        int[] dummyGold = RandomTags(steps, batch, lengths, k, seed + 2);
        for (int b = 0; b < batch; b++)
        {
            for (int t = lengths[b]; t < steps; t++) Assert.Equal(-1, decoded[t * batch + b]);
            if (lengths[b] == 0) continue;
            Enumerated r = Enumerate(crf, x, steps, batch, b, lengths[b], dummyGold, null);
            Assert.True(r.BestScore - r.SecondScore > 1e-6, "the random draw has a near tie; pick another seed");
            for (int t = 0; t < lengths[b]; t++) Assert.Equal(r.Best[t], decoded[t * batch + b]);
            Assert.Equal(r.BestScore, crf.BestScores[b], 1e-10);
        }
    }

    private static readonly string[] BioTags = ["O", "B-NP", "I-NP", "B-VP", "I-VP"];
    private static readonly string[] IobesTags = ["O", "B-NP", "I-NP", "E-NP", "S-NP", "S-VP"];

    [Theory]
    [InlineData(TaggingScheme.Bio, 21ul)]
    [InlineData(TaggingScheme.Iobes, 22ul)]
    public void ConstrainedLossGradientsAndViterbiEqualBruteForceOverAllowedSequences(TaggingScheme scheme, ulong seed)
    {
        string[] names = scheme == TaggingScheme.Bio ? BioTags : IobesTags;
        int k = names.Length;
        const int steps = 4, batch = 4;
        int[] lengths = [4, 1, 2, 3];
        var constraints = TransitionConstraints.ForScheme(names, scheme);
        var crf = RandomCrf(k, seed, 2f);
        crf.Constraints = constraints;
        float[] x = Reference.RandomArray(steps * batch * k, seed + 1, -3f, 3f);
        int[] gold = RandomTags(steps, batch, lengths, k, seed + 2, constraints);
        var gradient = new Tensor(steps, batch, k);
        crf.NegativeLogLikelihood(new Tensor(x, steps, batch, k), lengths, gold, gradient);
        var decoded = new int[steps * batch];
        crf.Decode(new Tensor(x, steps, batch, k), lengths, decoded);

        var expectedA = new double[k * k];
        for (int b = 0; b < batch; b++)
        {
            Enumerated r = Enumerate(crf, x, steps, batch, b, lengths[b], gold, constraints);
            Assert.Equal(r.LogZ - r.GoldScore, crf.SequenceLosses[b], 1e-9);
            for (int t = 0; t < lengths[b]; t++)
                for (int j = 0; j < k; j++) Assert.Equal(r.Emissions[t * k + j], gradient[t, b, j], 1e-6);
            for (int p = 0; p < k * k; p++) expectedA[p] += r.Transitions[p];
            var path = new int[lengths[b]];
            for (int t = 0; t < path.Length; t++) path[t] = decoded[t * batch + b];
            Assert.Equal(-1, constraints.FirstViolation(path));
            Assert.True(r.BestScore - r.SecondScore > 1e-6, "near tie");
            Assert.Equal(r.Best, path);
            Assert.Equal(r.BestScore, crf.BestScores[b], 1e-9);
        }
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                Assert.Equal(expectedA[i * k + j], crf.Transitions.Gradient[i, j], 2e-6);
                if (!constraints.IsAllowed(i, j)) Assert.Equal(0f, crf.Transitions.Gradient[i, j]);
            }
        for (int j = 0; j < k; j++)
        {
            if (!constraints.IsAllowedStart(j)) Assert.Equal(0f, crf.StartTransitions.Gradient[j]);
            if (!constraints.IsAllowedEnd(j)) Assert.Equal(0f, crf.EndTransitions.Gradient[j]);
        }
    }

    [Fact]
    public void DecodingNeverTakesADisallowedTransitionEvenWhenTheEmissionsWantIt()
    {
        var constraints = TransitionConstraints.ForScheme(BioTags, TaggingScheme.Bio);
        var crf = new LinearChainCrf(BioTags.Length) { Constraints = constraints };
        // Emissions that strongly prefer I-VP, I-NP, I-VP: unconstrained that is the answer.
        var x = new Tensor(3, 1, BioTags.Length);
        x[0, 0, 4] = 50; x[1, 0, 2] = 50; x[2, 0, 4] = 50;
        x[0, 0, 3] = 1; x[1, 0, 1] = 1; x[2, 0, 3] = 1; // second choices: B-VP, B-NP, B-VP
        var tags = new int[3];
        crf.Decode(x, [3], tags);
        // I-NP at step 1 (50) needs B-NP or I-NP before it, and then I-VP at step 2 is out of reach: the best
        // allowed path is B-NP I-NP B-VP (0 + 50 + 1), not any path through I-VP.
        Assert.Equal([1, 2, 3], tags);
        crf.Constraints = null;
        crf.Decode(x, [3], tags);
        Assert.Equal([4, 2, 4], tags);
    }

    [Fact]
    public void SchemeConstraintsFollowBioAndIobesRules()
    {
        var bio = TransitionConstraints.ForScheme(BioTags, TaggingScheme.Bio); // O B-NP I-NP B-VP I-VP
        Assert.False(bio.IsAllowedStart(2));
        Assert.True(bio.IsAllowedStart(1));
        Assert.True(bio.IsAllowedStart(0));
        Assert.False(bio.IsAllowed(0, 2));  // O → I-NP
        Assert.True(bio.IsAllowed(1, 2));   // B-NP → I-NP
        Assert.True(bio.IsAllowed(2, 2));   // I-NP → I-NP
        Assert.False(bio.IsAllowed(3, 2));  // B-VP → I-NP
        Assert.False(bio.IsAllowed(4, 2));  // I-VP → I-NP
        Assert.True(bio.IsAllowed(2, 3));   // I-NP → B-VP
        Assert.True(bio.IsAllowed(2, 0));
        for (int j = 0; j < BioTags.Length; j++) Assert.True(bio.IsAllowedEnd(j));

        var iobes = TransitionConstraints.ForScheme(IobesTags, TaggingScheme.Iobes); // O B-NP I-NP E-NP S-NP S-VP
        Assert.Equal([true, true, false, false, true, true], Enumerable.Range(0, 6).Select(iobes.IsAllowedStart));
        Assert.Equal([true, false, false, true, true, true], Enumerable.Range(0, 6).Select(iobes.IsAllowedEnd));
        Assert.Equal([false, false, true, true, false, false], Enumerable.Range(0, 6).Select(j => iobes.IsAllowed(1, j))); // after B-NP
        Assert.Equal([false, false, true, true, false, false], Enumerable.Range(0, 6).Select(j => iobes.IsAllowed(2, j))); // after I-NP
        Assert.Equal([true, true, false, false, true, true], Enumerable.Range(0, 6).Select(j => iobes.IsAllowed(3, j)));   // after E-NP
        Assert.Equal([true, true, false, false, true, true], Enumerable.Range(0, 6).Select(j => iobes.IsAllowed(5, j)));   // after S-VP
        Assert.Equal(-1, iobes.FirstViolation([1, 2, 3, 5, 0, 4]));
        Assert.Equal(0, iobes.FirstViolation([2, 3]));
        Assert.Equal(2, iobes.FirstViolation([1, 2, 0]));
        Assert.Equal(2, iobes.FirstViolation([1, 2])); // B-NP I-NP then the end

        var e = Assert.Throws<RecurrentException>(() => TransitionConstraints.ForScheme(["O", "E-NP"], TaggingScheme.Bio));
        Assert.Contains("'E-NP'", e.Message);
        Assert.Throws<RecurrentException>(() => TransitionConstraints.ForScheme(["O", "NP"], TaggingScheme.Iobes));
    }

    [Fact]
    public void HugeEmissionsGiveFiniteLossAndGradients()
    {
        const int k = 3, steps = 4, batch = 2;
        int[] lengths = [4, 3];
        var crf = RandomCrf(k, 31);
        float[] x = Reference.RandomArray(steps * batch * k, 32, -1e4f, 1e4f);
        int[] gold = RandomTags(steps, batch, lengths, k, 33);
        var gradient = new Tensor(steps, batch, k);
        double sum = crf.NegativeLogLikelihood(new Tensor(x, steps, batch, k), lengths, gold, gradient);
        Assert.True(double.IsFinite(sum));
        Assert.All(gradient.Span.ToArray(), g => Assert.True(float.IsFinite(g) && Math.Abs(g) <= 1.0000001f));
        for (int b = 0; b < batch; b++)
        {
            Enumerated r = Enumerate(crf, x, steps, batch, b, lengths[b], gold, null);
            Assert.Equal(r.LogZ - r.GoldScore, crf.SequenceLosses[b], 1e-9 * Math.Abs(r.LogZ - r.GoldScore) + 1e-6);
            for (int t = 0; t < lengths[b]; t++)
                for (int j = 0; j < k; j++) Assert.Equal(r.Emissions[t * k + j], gradient[t, b, j], 1e-6);
        }
    }

    [Theory]
    [InlineData(61ul)]
    [InlineData(62ul)]
    [InlineData(63ul)]
    public void ExtremeTransitionScoresStillMatchBruteForce(ulong seed)
    {
        // Transitions of ±900 nats: most e^(A − max) factors underflow to 0, so the forward, backward and marginal
        // steps must take their direct log-sum-exp fallbacks (checked by making the fallbacks fail: these tests do).
        const int k = 4, steps = 5, batch = 3;
        int[] lengths = [5, 3, 2];
        var crf = RandomCrf(k, seed, 900f);
        float[] x = Reference.RandomArray(steps * batch * k, seed + 1, -300f, 300f);
        int[] gold = RandomTags(steps, batch, lengths, k, seed + 2);
        var gradient = new Tensor(steps, batch, k);
        crf.NegativeLogLikelihood(new Tensor(x, steps, batch, k), lengths, gold, gradient);
        var expectedA = new double[k * k];
        for (int b = 0; b < batch; b++)
        {
            Enumerated r = Enumerate(crf, x, steps, batch, b, lengths[b], gold, null);
            double nll = r.LogZ - r.GoldScore;
            Assert.Equal(nll, crf.SequenceLosses[b], 1e-9 * Math.Max(1, nll));
            for (int t = 0; t < lengths[b]; t++)
                for (int j = 0; j < k; j++) Assert.Equal(r.Emissions[t * k + j], gradient[t, b, j], 1e-6);
            for (int i = 0; i < k * k; i++) expectedA[i] += r.Transitions[i];
        }
        for (int i = 0; i < k * k; i++) Assert.Equal(expectedA[i], crf.Transitions.Gradient[i], 1e-6);
    }

    [Fact]
    public void MarginalsAcrossAHugeScoreGapAreExact()
    {
        // K = 2, T = 2. Tag 1 costs 1000 at step 0 (emission) or on the transition 0 → 1, and earns 2000 at step 1.
        // Paths: 00 = 0, 01 = −1000 + 2000 = 1000, 10 = −1000, 11 = −1000 + 2000 = 1000, so log Z = 1000 + log 2
        // (to 1e-400) and gold 01 has NLL = log 2; ξ(0, 1) = ξ(1, 1) = 1/2, γ₀ = (1/2, 1/2), γ₁ = (0, 1).
        // e^(A[0,1] − max_i A[i,1]) = e^−1000 underflows, so step 1 and its marginals need the direct log-sum-exp.
        var crf = new LinearChainCrf(2);
        crf.Transitions.Value[0, 1] = -1000;
        var x = new Tensor(2, 1, 2);
        x[0, 0, 1] = -1000;
        x[1, 0, 1] = 2000;
        var gradient = new Tensor(2, 1, 2);
        double nll = crf.NegativeLogLikelihood(x, [2], [0, 1], gradient);
        Assert.Equal(Math.Log(2), nll, 1e-12);
        Assert.Equal([-0.5f, 0.5f, 0f, 0f], gradient.Span.ToArray());
        Assert.Equal([0f, 0.5f - 1, 0f, 0.5f], crf.Transitions.Gradient.Span.ToArray());
        Assert.Equal([-0.5f, 0.5f], crf.StartTransitions.Gradient.Span.ToArray());
        Assert.Equal([0f, 0f], crf.EndTransitions.Gradient.Span.ToArray());
    }

    [Fact]
    public void InPlaceGradientEqualsSeparateGradient()
    {
        const int k = 4, steps = 5, batch = 3;
        int[] lengths = [5, 3, 1];
        float[] x = Reference.RandomArray(steps * batch * k, 41, -2f, 2f);
        int[] gold = RandomTags(steps, batch, lengths, k, 42);
        var separate = new Tensor(steps, batch, k);
        var crf1 = RandomCrf(k, 43);
        double sum1 = crf1.NegativeLogLikelihood(new Tensor((float[])x.Clone(), steps, batch, k), lengths, gold, separate, 0.5f);
        var crf2 = RandomCrf(k, 43);
        var inPlace = new Tensor(x, steps, batch, k);
        double sum2 = crf2.NegativeLogLikelihood(inPlace, lengths, gold, inPlace, 0.5f);
        Assert.Equal(sum1, sum2);
        Assert.Equal(separate.Span.ToArray(), inPlace.Span.ToArray());
        Assert.Equal(crf1.Transitions.Gradient.Span.ToArray(), crf2.Transitions.Gradient.Span.ToArray());
    }

    [Fact]
    public void BadInputsAreRejected()
    {
        var crf = new LinearChainCrf(BioTags.Length) { Constraints = TransitionConstraints.ForScheme(BioTags, TaggingScheme.Bio) };
        var x = new Tensor(2, 1, BioTags.Length);
        Assert.Throws<ArgumentException>(() => crf.NegativeLogLikelihood(x, [2], [0, 2]));     // O → I-NP
        Assert.Throws<ArgumentException>(() => crf.NegativeLogLikelihood(x, [1], [2, -1]));    // starts with I-NP
        Assert.Throws<ArgumentOutOfRangeException>(() => crf.NegativeLogLikelihood(x, [2], [0, 5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => crf.NegativeLogLikelihood(x, [3], [0, 0]));
        Assert.Throws<ArgumentException>(() => crf.NegativeLogLikelihood(x, [2], [0]));
        Assert.Throws<ArgumentException>(() => crf.NegativeLogLikelihood(new Tensor(2, 1, 3), [2], [0, 0]));
        Assert.Throws<ArgumentException>(() => crf.Constraints = new TransitionConstraints(3));
        // Padding tags are not read. Zero scores: the allowed length-1 sequences are O, B-NP, B-VP, so NLL = log 3.
        Assert.Equal(Math.Log(3), crf.NegativeLogLikelihood(x, [1], [1, 99]), 1e-12);
        var impossible = new LinearChainCrf(1) { Constraints = TransitionConstraints.ForScheme(["I-NP"], TaggingScheme.Bio) };
        Assert.Throws<InvalidOperationException>(() => impossible.Decode(new Tensor(2, 1, 1), [2], new int[2]));
    }

    [Fact]
    public void LaterCallsAllocateNothing()
    {
        const int k = 5, steps = 6, batch = 4;
        int[] lengths = [6, 2, 0, 5];
        var crf = RandomCrf(k, 51);
        crf.Constraints = TransitionConstraints.ForScheme(BioTags, TaggingScheme.Bio);
        var x = new Tensor(Reference.RandomArray(steps * batch * k, 52), steps, batch, k);
        int[] gold = RandomTags(steps, batch, lengths, k, 53, crf.Constraints);
        var gradient = new Tensor(steps, batch, k);
        var decoded = new int[steps * batch];
        crf.NegativeLogLikelihood(x, lengths, gold, gradient);
        crf.Decode(x, lengths, decoded);
        long before = GC.GetAllocatedBytesForCurrentThread();
        crf.NegativeLogLikelihood(x, lengths, gold, gradient);
        crf.Decode(x, lengths, decoded);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
