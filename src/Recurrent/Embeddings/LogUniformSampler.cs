namespace Recurrent.Embeddings;

/// <summary>
/// TensorFlow's default candidate sampler for <c>tf.nn.nce_loss</c>, <c>log_uniform_candidate_sampler</c>: an
/// approximately Zipfian distribution over ids sorted by decreasing frequency,
/// <c>Q(w) = (log(w + 2) − log(w + 1)) / log(V + 1)</c>, drawn without repeats within a batch (<c>unique=True</c>).
/// </summary>
/// <remarks>
/// A draw is <c>⌊exp(u·log(V + 1))⌋ − 1</c> for uniform <c>u</c>, as in TensorFlow's LogUniformSampler. With unique
/// draws, the expected number of times a word would have been drawn in the <c>tries</c> draws it took to collect
/// the distinct samples is <c>E(w) = 1 − (1 − Q(w))^tries</c>, or <c>k·Q(w)</c> when no draw was repeated
/// (tries = k), TensorFlow's ExpectedCountHelper; NCE subtracts <c>log E(w)</c> from the logits.
/// </remarks>
internal sealed class LogUniformSampler
{
    private readonly double _logRange;
    private int[] _seen = [];
    private int _generation;

    /// <param name="range">V: the ids are 0 … V−1.</param>
    public LogUniformSampler(int range)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(range, 1);
        Range = range;
        _logRange = Math.Log(range + 1.0);
    }

    /// <summary>V.</summary>
    public int Range { get; }

    /// <summary><c>Q(w)</c>.</summary>
    public double Probability(int word) => (Math.Log(word + 2.0) - Math.Log(word + 1.0)) / _logRange;

    /// <summary>TensorFlow's expected count of a word of probability <paramref name="probability"/> after <paramref name="tries"/> draws for <paramref name="count"/> distinct samples.</summary>
    public static double ExpectedCount(double probability, int count, int tries) =>
        tries == count ? probability * count : -double.ExpM1(tries * double.LogP1(-probability));

    /// <summary>One draw from 64 random bits (their high 53 make <c>u</c>).</summary>
    public int Sample(ulong random)
    {
        double u = (random >> 11) * (1.0 / (1UL << 53));
        long value = (long)Math.Exp(u * _logRange) - 1;
        return (int)Math.Min(value, Range - 1);
    }

    /// <summary>Fills <paramref name="samples"/> with distinct draws; returns the number of draws it took.</summary>
    internal int SampleUnique(ref FastRandom random, Span<int> samples)
    {
        if (samples.Length > Range) throw new ArgumentException($"Cannot draw {samples.Length} distinct words from {Range}.", nameof(samples));
        if (_seen.Length != Range) _seen = new int[Range];
        if (++_generation == int.MaxValue)
        {
            Array.Clear(_seen);
            _generation = 1;
        }
        int tries = 0, picked = 0;
        while (picked < samples.Length)
        {
            tries++;
            int w = Sample(random.Next());
            if (_seen[w] == _generation) continue;
            _seen[w] = _generation;
            samples[picked++] = w;
        }
        return tries;
    }
}
