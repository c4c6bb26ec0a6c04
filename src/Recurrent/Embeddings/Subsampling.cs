namespace Recurrent.Embeddings;

/// <summary>
/// word2vec's subsampling of frequent words: a word seen <c>f</c> times among the <c>T</c> words of the text is kept
/// with probability <c>p(f) = (√(f / (s·T)) + 1) · (s·T) / f</c> (capped at 1), where <c>s</c> is <c>-sample</c>.
/// </summary>
/// <remarks>
/// This is the formula of word2vec.c (and gensim), not the paper's <c>1 − √(s·T/f)</c>: it keeps a little more,
/// and every word with <c>f ≤ s·T·(3+√5)/2 ≈ 2.618·s·T</c> is always kept. <c>s = 0</c> keeps every word.
/// </remarks>
internal static class Subsampling
{
    /// <summary><c>p(f)</c>, capped at 1.</summary>
    public static double KeepProbability(long count, long totalWords, double sample)
    {
        if (sample <= 0 || count <= 0) return 1;
        double threshold = sample * totalWords;
        double p = (Math.Sqrt(count / threshold) + 1) * threshold / count;
        return Math.Min(p, 1);
    }

    /// <summary>
    /// Per word, <c>p · 2³²</c> as an integer: a word is kept when 32 random bits, read as an integer, fall below it
    /// (so probability 1 is 2³², above every draw).
    /// </summary>
    public static ulong[] Thresholds(ReadOnlySpan<long> counts, long totalWords, double sample)
    {
        var thresholds = new ulong[counts.Length];
        for (int i = 0; i < counts.Length; i++)
        {
            double p = KeepProbability(counts[i], totalWords, sample);
            thresholds[i] = p >= 1 ? 1UL << 32 : (ulong)Math.Round(p * 4294967296.0);
        }
        return thresholds;
    }
}
