using Recurrent.Tensors;

namespace Recurrent.Text;

/// <summary>
/// Draws the next token from a model's probability vector, for word and character models alike:
/// greedy (argmax), or random with a temperature and an optional top-k cut, from a seeded <see cref="RandomGenerator"/>
/// so the same seed gives the same text. Allocates nothing per token.
/// </summary>
/// <remarks>
/// <para><b>Temperature</b>, as TensorFlow for Machine Intelligence's sampler (<c>log(p) / T</c>, then softmax):
/// <c>q_i ∝ p_i^(1/T) = exp((log p_i − log p_max) / T)</c>. T &lt; 1 sharpens the distribution towards the
/// most probable token (T → 0 is greedy), T &gt; 1 flattens it; T = 1 samples <c>p</c> itself.</para>
/// <para><b>Top-k</b>, as the Python Machine Learning book's <c>get_top_char</c>: every token but the k most probable
/// gets probability 0, the rest are renormalised and sampled. Ties at the k-th value are broken towards lower ids,
/// so exactly k tokens stay.</para>
/// </remarks>
public sealed class TokenSampler
{
    private readonly RandomGenerator _random;
    private float[] _weights = [];
    private float[] _selection = [];

    /// <param name="seed">Seed of the sampler's own generator.</param>
    /// <param name="temperature">Positive; 1 samples the model's distribution unchanged.</param>
    /// <param name="topK">Keep only the k most probable tokens; 0 keeps all.</param>
    /// <param name="greedy">Always take the most probable token (temperature and top-k are then irrelevant).</param>
    public TokenSampler(ulong seed, float temperature = 1f, int topK = 0, bool greedy = false)
        : this(new RandomGenerator(seed), temperature, topK, greedy)
    {
    }

    /// <summary>A sampler that draws from <paramref name="random"/> (shared, not copied); the other parameters are those of the seeded constructor.</summary>
    public TokenSampler(RandomGenerator random, float temperature = 1f, int topK = 0, bool greedy = false)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(temperature > 0) || float.IsPositiveInfinity(temperature))
            throw new RecurrentException($"The temperature must be positive and finite, got {temperature}.");
        if (topK < 0) throw new RecurrentException($"Top-k must be zero (all tokens) or positive, got {topK}.");
        _random = random;
        Temperature = temperature;
        TopK = topK;
        Greedy = greedy;
    }

    /// <summary>The temperature the distribution is raised to the power 1/T with.</summary>
    public float Temperature { get; }

    /// <summary>How many of the most probable tokens stay candidates; 0 for all.</summary>
    public int TopK { get; }

    /// <summary>Whether the most probable token is always taken.</summary>
    public bool Greedy { get; }

    /// <summary>Picks a token id from <paramref name="probabilities"/> (non-negative, not necessarily normalised).</summary>
    /// <exception cref="ArgumentException">The vector is empty, or has no positive finite entry.</exception>
    public int Sample(ReadOnlySpan<float> probabilities)
    {
        int n = probabilities.Length;
        if (n == 0) throw new ArgumentException("The probability vector is empty.", nameof(probabilities));
        int best = ArgMax(probabilities);
        if (Greedy || n == 1) return best;
        float pMax = probabilities[best];
        if (!(pMax > 0) || !float.IsFinite(pMax))
            throw new ArgumentException($"The probability vector has no positive finite entry (largest: {pMax}).", nameof(probabilities));

        if (_weights.Length < n) _weights = new float[n];
        Span<float> w = _weights.AsSpan(0, n);
        if (Temperature == 1f)
        {
            probabilities.CopyTo(w);
        }
        else
        {
            // p^(1/T) / pMax^(1/T), in logs so that a small T cannot underflow every weight to 0: the best token keeps 1.
            float logMax = MathF.Log(pMax), inverse = 1f / Temperature;
            for (int i = 0; i < n; i++)
            {
                float p = probabilities[i];
                w[i] = p > 0 ? MathF.Exp((MathF.Log(p) - logMax) * inverse) : 0f;
            }
        }
        if (TopK > 0 && TopK < n) KeepTopK(probabilities, w, TopK);

        double total = 0;
        foreach (float x in w) total += x;
        // Inverse-CDF draw: the first token whose running sum passes u. Zero-weight tokens never pass it,
        // and the last positive token is a guard against rounding in the running sum.
        double u = _random.NextDouble() * total, running = 0;
        int lastPositive = best;
        for (int i = 0; i < n; i++)
        {
            if (w[i] <= 0) continue;
            running += w[i];
            if (running > u) return i;
            lastPositive = i;
        }
        return lastPositive;
    }

    /// <summary>Index of the largest entry; the lowest index among equals.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }

    /// <summary>Zeroes every weight except those of the k largest probabilities (ties: lower ids first).</summary>
    private void KeepTopK(ReadOnlySpan<float> probabilities, Span<float> weights, int k)
    {
        int n = probabilities.Length;
        if (_selection.Length < n) _selection = new float[n];
        Span<float> scratch = _selection.AsSpan(0, n);
        probabilities.CopyTo(scratch);
        float threshold = KthLargest(scratch, k);
        int above = 0;
        foreach (float p in probabilities) if (p > threshold) above++;
        int tiesToKeep = k - above;
        for (int i = 0; i < n; i++)
        {
            float p = probabilities[i];
            if (p > threshold) continue;
            if (p == threshold && tiesToKeep > 0) { tiesToKeep--; continue; }
            weights[i] = 0f;
        }
    }

    /// <summary>The k-th largest value (1-based) by quickselect; reorders <paramref name="values"/>.</summary>
    private static float KthLargest(Span<float> values, int k)
    {
        int target = k - 1; // index in descending order
        int low = 0, high = values.Length - 1;
        while (low < high)
        {
            float pivot = values[low + (high - low) / 2];
            int i = low, j = high;
            while (i <= j)
            {
                while (values[i] > pivot) i++;
                while (values[j] < pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            // Now values[low..j] ≥ pivot ≥ values[i..high], and values strictly between j and i equal the pivot.
            if (target <= j) high = j;
            else if (target >= i) low = i;
            else return values[target];
        }
        return values[target];
    }
}
