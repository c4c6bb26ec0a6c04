using System.Globalization;

namespace Recurrent.Data.Classification;

/// <summary>
/// A labelled data set: training examples, optional test examples, and the label set that the training examples use.
/// </summary>
/// <remarks>
/// Label ids are positions in <see cref="Labels"/>, which is sorted so that the same data always gives the same ids:
/// numerically when every label is an integer (<c>2, 10</c>, not <c>10, 2</c>), else by ordinal string order
/// (<c>neg, pos</c> for IMDb).
/// </remarks>
public sealed class ClassificationData
{
    private readonly Dictionary<string, int> _labelIds;

    /// <summary>Checks and wraps the examples.</summary>
    /// <param name="source">What was read (a path), for messages.</param>
    /// <exception cref="RecurrentException">There are no training examples, they have fewer than two labels, the test
    /// set is empty, or a test example has a label that no training example has.</exception>
    public ClassificationData(IReadOnlyList<LabeledText> train, IReadOnlyList<LabeledText>? test, string source)
    {
        ArgumentNullException.ThrowIfNull(train);
        Source = source;
        if (train.Count == 0)
            throw new RecurrentException($"'{source}' holds no labelled examples.");
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (LabeledText e in train) distinct.Add(e.Label);
        if (distinct.Count < 2)
            throw new RecurrentException(
                $"The training data in '{source}' has only one label, '{train[0].Label}' ({train.Count} examples): a classifier needs examples of two or more labels.");
        string[] labels = [.. distinct];
        SortLabels(labels);
        Labels = labels;
        _labelIds = new Dictionary<string, int>(labels.Length, StringComparer.Ordinal);
        for (int i = 0; i < labels.Length; i++) _labelIds[labels[i]] = i;

        Train = train;
        TrainLabels = LabelIdsOf(train);
        if (test is not null)
        {
            if (test.Count == 0)
                throw new RecurrentException($"The test data given with '{source}' holds no labelled examples.");
            foreach (LabeledText e in test)
                if (!_labelIds.ContainsKey(e.Label))
                    throw new RecurrentException(
                        $"{e.Source}: the label '{e.Label}' never occurs in the training data (its labels: {string.Join(", ", labels)}).");
            Test = test;
            TestLabels = LabelIdsOf(test);
        }
    }

    /// <summary>What was read, for messages.</summary>
    public string Source { get; }

    /// <summary>The training examples (validation is carved from them).</summary>
    public IReadOnlyList<LabeledText> Train { get; }

    /// <summary>The test examples, or null when the data has no test split.</summary>
    public IReadOnlyList<LabeledText>? Test { get; }

    /// <summary>The labels of the training data in id order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The label id of each training example.</summary>
    public int[] TrainLabels { get; }

    /// <summary>The label id of each test example, or null without a test split.</summary>
    public int[]? TestLabels { get; }

    /// <summary>The id of <paramref name="label"/>.</summary>
    /// <exception cref="RecurrentException">The training data has no such label.</exception>
    public int LabelIdOf(string label) =>
        _labelIds.TryGetValue(label, out int id) ? id
            : throw new RecurrentException($"The label '{label}' never occurs in the training data (its labels: {string.Join(", ", Labels)}).");

    /// <summary>The label id of each of <paramref name="examples"/>.</summary>
    public int[] LabelIdsOf(IReadOnlyList<LabeledText> examples)
    {
        var ids = new int[examples.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = LabelIdOf(examples[i].Label);
        return ids;
    }

    /// <summary>Sorts labels numerically when all are integers, else ordinally.</summary>
    internal static void SortLabels(string[] labels)
    {
        bool numeric = true;
        foreach (string label in labels)
            numeric &= long.TryParse(label, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
        if (numeric)
            Array.Sort(labels, static (a, b) =>
            {
                int byValue = long.Parse(a, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
                    .CompareTo(long.Parse(b, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
                return byValue != 0 ? byValue : string.CompareOrdinal(a, b); // "1" and "01"
            });
        else
            Array.Sort(labels, StringComparer.Ordinal);
    }
}
