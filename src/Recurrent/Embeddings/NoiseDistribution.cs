using System.Runtime.CompilerServices;

namespace Recurrent.Embeddings;

/// <summary>
/// word2vec's noise distribution for negative sampling, the unigram distribution raised to the 3/4 power:
/// <c>P(w) = c(w)^0.75 / Σ_v c(v)^0.75</c>, sampled in constant time with Walker's alias method.
/// </summary>
/// <remarks>
/// word2vec fills a table of 10⁸ ints (400 MB) so that each word holds a share of entries proportional to
/// <c>P(w)</c>, and draws an entry per noise word: a likely cache miss each time, and <c>P(w)</c> only to within
/// 10⁻⁸. The alias table (Vose's construction) has one column per word, 8 bytes each; a draw picks a column with
/// the high 32 bits of a random number and keeps the column's word if the low 32 bits fall under its threshold,
/// else takes its alias. The distribution it samples is <see cref="Probability"/>, exact up to the 2⁻³²
/// resolution of the thresholds.
/// </remarks>
internal sealed class NoiseDistribution
{
    private readonly uint[] _threshold;
    private readonly int[] _alias;

    /// <summary>Builds the table for <c>P(w) ∝ counts[w]^power</c>.</summary>
    /// <exception cref="ArgumentException">There are no words, a count is negative, or all weights are zero.</exception>
    public NoiseDistribution(ReadOnlySpan<long> counts, double power = 0.75)
    {
        int n = counts.Length;
        if (n == 0) throw new ArgumentException("The noise distribution needs at least one word.", nameof(counts));
        var weight = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            if (counts[i] < 0) throw new ArgumentException($"Count {i} is negative.", nameof(counts));
            weight[i] = counts[i] == 0 ? 0 : Math.Pow(counts[i], power);
            sum += weight[i];
        }
        if (!(sum > 0)) throw new ArgumentException("All noise weights are zero.", nameof(counts));

        // Vose: scale so the average column holds 1; pair each under-full column with an over-full one.
        var scaled = new double[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (int i = 0; i < n; i++)
        {
            scaled[i] = weight[i] * n / sum;
            (scaled[i] < 1 ? small : large).Push(i);
        }
        _threshold = new uint[n];
        _alias = new int[n];
        while (small.Count > 0 && large.Count > 0)
        {
            int s = small.Pop(), l = large.Pop();
            _threshold[s] = ToThreshold(scaled[s]);
            _alias[s] = l;
            scaled[l] = (scaled[l] + scaled[s]) - 1;
            (scaled[l] < 1 ? small : large).Push(l);
        }
        // What is left is full up to rounding.
        while (large.Count > 0) { int l = large.Pop(); _threshold[l] = uint.MaxValue; _alias[l] = l; }
        while (small.Count > 0) { int s = small.Pop(); _threshold[s] = uint.MaxValue; _alias[s] = s; }
    }

    /// <summary>Number of words.</summary>
    public int Count => _alias.Length;

    /// <summary>The probability with which <see cref="Sample"/> returns <paramref name="word"/> (exact for the table as built).</summary>
    public double Probability(int word)
    {
        const double scale = 1.0 / 4294967296.0;
        double p = _threshold[word] * scale;
        for (int i = 0; i < _alias.Length; i++)
            if (_alias[i] == word) p += 1 - _threshold[i] * scale;
        return p / _alias.Length;
    }

    /// <summary>Draws a word from 64 random bits: the high 32 choose the column, the low 32 decide between it and its alias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int Sample(ulong random)
    {
        int column = (int)(((random >> 32) * (ulong)(uint)_alias.Length) >> 32);
        return (uint)random < _threshold[column] ? column : _alias[column];
    }

    private static uint ToThreshold(double p) => (uint)Math.Clamp(Math.Round(p * 4294967296.0), 0, uint.MaxValue);
}
