using Recurrent.Tensors;

namespace Recurrent.Data.Classification;

/// <summary>The examples of a training set divided into those trained on and those held out for validation.</summary>
/// <param name="Train">Indices of the examples to train on, ascending.</param>
/// <param name="Validation">Indices of the held-out examples, ascending.</param>
public sealed record SplitIndices(int[] Train, int[] Validation);

/// <summary>
/// Carves a seeded, stratified validation split out of a training set: each label keeps its share of the examples in
/// both parts.
/// </summary>
/// <remarks>
/// <para>With <c>n_c</c> examples of label <c>c</c>, <c>N = Σ n_c</c> and fraction <c>f</c>, the validation split takes
/// <c>V = round(f·N)</c> examples (half away from zero), <c>k_c</c> of label <c>c</c> by largest remainder: first
/// <c>⌊f·n_c⌋</c> each, then one more for the labels with the largest fractional parts <c>f·n_c − ⌊f·n_c⌋</c> (ties
/// to the lower label id) until there are <c>V</c>. So <c>|k_c − f·n_c| &lt; 1</c> for every label. A label keeps at
/// least one training example (<c>k_c ≤ n_c − 1</c>), which may leave <c>V</c> one short per such label.</para>
/// <para>Which examples: the indices of each label, in label id order, are shuffled (Fisher–Yates) with one
/// <see cref="RandomGenerator"/> seeded with <c>seed</c>, and the first <c>k_c</c> are held out. The result depends on
/// the seed, the fraction and the labels only.</para>
/// </remarks>
public static class StratifiedSplit
{
    /// <summary>The default share of the training examples held out for validation.</summary>
    public const double DefaultFraction = 0.1;

    /// <summary>Splits the examples whose label ids are <paramref name="labels"/>.</summary>
    /// <param name="labels">The label id of each example, in <c>[0, labelCount)</c>.</param>
    /// <param name="labelCount">The number of labels.</param>
    /// <param name="fraction">The share held out, in [0, 1).</param>
    /// <param name="seed">Seed of the shuffle.</param>
    /// <exception cref="RecurrentException"><paramref name="fraction"/> is outside [0, 1).</exception>
    public static SplitIndices Split(ReadOnlySpan<int> labels, int labelCount, double fraction, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(labelCount, 1);
        if (!(fraction >= 0 && fraction < 1))
            throw new RecurrentException($"The validation fraction must be at least 0 and below 1, got {fraction}.");

        var byLabel = new List<int>[labelCount];
        for (int c = 0; c < labelCount; c++) byLabel[c] = [];
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)labelCount)
                throw new ArgumentOutOfRangeException(nameof(labels), $"Example {i} has label id {labels[i]}, outside [0, {labelCount}).");
            byLabel[labels[i]].Add(i);
        }

        int[] take = Quotas(byLabel, labels.Length, fraction);
        var random = new RandomGenerator(seed);
        var validation = new List<int>();
        var train = new List<int>(labels.Length);
        for (int c = 0; c < labelCount; c++)
        {
            List<int> indices = byLabel[c];
            for (int i = indices.Count - 1; i > 0; i--)
            {
                int j = random.NextInt(i + 1);
                (indices[i], indices[j]) = (indices[j], indices[i]);
            }
            for (int i = 0; i < indices.Count; i++) (i < take[c] ? validation : train).Add(indices[i]);
        }
        int[] trainIndices = [.. train];
        int[] validationIndices = [.. validation];
        Array.Sort(trainIndices);
        Array.Sort(validationIndices);
        return new SplitIndices(trainIndices, validationIndices);
    }

    /// <summary>The number of examples of each label to hold out (largest remainder, see the remarks).</summary>
    private static int[] Quotas(List<int>[] byLabel, int total, double fraction)
    {
        int labelCount = byLabel.Length;
        var take = new int[labelCount];
        var remainder = new double[labelCount];
        int target = (int)Math.Round(fraction * total, MidpointRounding.AwayFromZero);
        int assigned = 0;
        for (int c = 0; c < labelCount; c++)
        {
            double exact = fraction * byLabel[c].Count;
            take[c] = (int)Math.Floor(exact);
            remainder[c] = exact - take[c];
            assigned += take[c];
        }
        var order = new int[labelCount];
        for (int c = 0; c < labelCount; c++) order[c] = c;
        Array.Sort(order, (a, b) => remainder[a] != remainder[b] ? remainder[b].CompareTo(remainder[a]) : a.CompareTo(b));
        for (int k = 0; assigned < target && k < labelCount; k++, assigned++) take[order[k]]++;
        for (int c = 0; c < labelCount; c++) take[c] = Math.Max(0, Math.Min(take[c], byLabel[c].Count - 1));
        return take;
    }
}
