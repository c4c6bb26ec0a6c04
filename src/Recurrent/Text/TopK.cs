namespace Recurrent.Text;

/// <summary>
/// The k largest entries of a probability vector, largest first: the candidates <c>lm next</c> prints and the
/// server's <c>next</c> returns. Ties are broken towards lower ids, as <see cref="TokenSampler"/>'s top-k cut does.
/// </summary>
/// <remarks>
/// One pass with a sorted list of the k best so far (insertion from the end): O(n·k) in the worst case, O(n) when
/// most entries fall below the k-th best, which is the rule for a language model's distribution and k ≪ n.
/// NaN entries are never selected.
/// </remarks>
public static class TopK
{
    /// <summary>
    /// Writes the ids of the <c>min(indices.Length, values.Length)</c> largest values into <paramref name="indices"/>,
    /// largest first, and returns how many it wrote. Allocates nothing.
    /// </summary>
    public static int Select(ReadOnlySpan<float> values, Span<int> indices)
    {
        int k = Math.Min(indices.Length, values.Length), filled = 0;
        if (k == 0) return 0;
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (float.IsNaN(v)) continue;
            // Strictly greater: an equal value with a higher id stays behind the ones already kept.
            if (filled == k && !(v > values[indices[k - 1]])) continue;
            int j = filled < k ? filled++ : k - 1;
            while (j > 0 && v > values[indices[j - 1]])
            {
                indices[j] = indices[j - 1];
                j--;
            }
            indices[j] = i;
        }
        return filled;
    }

    /// <summary>The ids of the <paramref name="k"/> largest values (fewer when the vector is shorter), largest first.</summary>
    public static int[] Indices(ReadOnlySpan<float> values, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var indices = new int[Math.Min(k, values.Length)];
        int n = Select(values, indices);
        return n == indices.Length ? indices : indices[..n];
    }
}
