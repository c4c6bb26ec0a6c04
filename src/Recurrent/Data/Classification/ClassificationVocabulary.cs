using System.Runtime.InteropServices;
using Recurrent.Text;

namespace Recurrent.Data.Classification;

/// <summary>
/// The vocabulary of a classifier: <c>&lt;pad&gt;</c> = 0, <c>&lt;unk&gt;</c> = 1, then the words of the training
/// split by count, most frequent first, ties in ordinal order (as <see cref="Vocabulary.FromCounts"/>).
/// </summary>
public static class ClassificationVocabulary
{
    /// <summary>The padding token; its id is <see cref="PaddingId"/>.</summary>
    public const string Padding = "<pad>";

    /// <summary>Id of <see cref="Padding"/>: batches are padded with it.</summary>
    public const int PaddingId = 0;

    /// <summary>Id of <see cref="Vocabulary.Unknown"/>, which stands for every word not in the vocabulary.</summary>
    public const int UnknownId = 1;

    /// <summary>Counts the tokens of the examples at <paramref name="indices"/> (the training split only) and builds the vocabulary.</summary>
    /// <param name="examples">All training examples.</param>
    /// <param name="indices">The ones to count (the training part of a <see cref="SplitIndices"/>).</param>
    /// <param name="tokenizer">Splits a text into tokens (<see cref="EnglishTokenizer.Tokenize(string, TokenHandler)"/>).</param>
    /// <param name="maxSize">At most this many entries, the two special ones included; 0 for no limit.</param>
    /// <param name="minCount">Words seen fewer times are left out (they become <c>&lt;unk&gt;</c>).</param>
    public static Vocabulary Build(IReadOnlyList<LabeledText> examples, ReadOnlySpan<int> indices, Tokenizer tokenizer, int maxSize = 0, int minCount = 1)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        // The span lookup allocates a string only the first time a word is seen.
        TokenHandler count = token => CollectionsMarshal.GetValueRefOrAddDefault(lookup, token, out _)++;
        foreach (int i in indices) tokenizer(examples[i].Text, count);
        return FromCounts(counts, maxSize, minCount);
    }

    /// <summary>The vocabulary of counted words: the two special entries, then the words seen at least
    /// <paramref name="minCount"/> times by count descending and ordinal order, cut to <paramref name="maxSize"/> entries in all.</summary>
    /// <exception cref="RecurrentException"><paramref name="maxSize"/> is 1 or 2 (no room for a word), or negative, or <paramref name="minCount"/> is below 1.</exception>
    public static Vocabulary FromCounts(IReadOnlyDictionary<string, int> counts, int maxSize = 0, int minCount = 1)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (maxSize is < 0 or 1 or 2)
            throw new RecurrentException($"The maximum vocabulary size must be 0 (no limit) or at least 3 (<pad>, <unk> and a word), got {maxSize}.");
        if (minCount < 1)
            throw new RecurrentException($"The minimum word count must be at least 1, got {minCount}.");
        var kept = new List<KeyValuePair<string, int>>(counts.Count);
        foreach (KeyValuePair<string, int> pair in counts)
            if (pair.Value >= minCount && pair.Key is not (Padding or Vocabulary.Unknown))
                kept.Add(pair);
        IReadOnlyList<string> sorted = Vocabulary.FromCounts(kept).Words;
        int words = maxSize == 0 ? sorted.Count : Math.Min(sorted.Count, maxSize - 2);
        var all = new string[words + 2];
        all[PaddingId] = Padding;
        all[UnknownId] = Vocabulary.Unknown;
        for (int i = 0; i < words; i++) all[i + 2] = sorted[i];
        return new Vocabulary(all);
    }
}
