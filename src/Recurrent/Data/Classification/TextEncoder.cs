using Recurrent.Text;

namespace Recurrent.Data.Classification;

/// <summary>
/// Turns texts into token ids: tokenize, look each token up (<c>&lt;unk&gt;</c> when absent), and truncate to at most
/// <see cref="MaxLength"/> tokens keeping the start or the end.
/// </summary>
/// <remarks>A text without a single token becomes one <c>&lt;unk&gt;</c>, so every sequence has a last step to classify from.</remarks>
public sealed class TextEncoder
{
    private readonly List<int> _ids = [];
    private readonly TokenHandler _onToken;

    /// <param name="vocabulary">Must hold <see cref="Vocabulary.Unknown"/> (as <see cref="ClassificationVocabulary"/>'s do).</param>
    /// <param name="maxLength">Keep at most this many tokens; 0 keeps all.</param>
    /// <param name="truncation">Which tokens to keep of a longer text.</param>
    /// <param name="tokenizer">The tokenizer; null for <see cref="EnglishTokenizer"/>.</param>
    public TextEncoder(Vocabulary vocabulary, int maxLength = 0, TruncationSide truncation = TruncationSide.KeepEnd, Tokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.UnknownId < 0)
            throw new ArgumentException($"The vocabulary has no {Vocabulary.Unknown} entry for words it lacks.", nameof(vocabulary));
        if (maxLength < 0) throw new RecurrentException($"The maximum length must be 0 (no limit) or positive, got {maxLength}.");
        Vocabulary = vocabulary;
        MaxLength = maxLength;
        Truncation = truncation;
        Tokenizer = tokenizer ?? EnglishTokenizer.Tokenize;
        _onToken = token =>
        {
            _ids.Add(Vocabulary.TryGetId(token, out int id) ? id : Vocabulary.UnknownId);
        };
    }

    /// <summary>Maps tokens to ids; unknown tokens become <see cref="ClassificationVocabulary.UnknownId"/>.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Longest sequence kept; 0 for no limit.</summary>
    public int MaxLength { get; }

    /// <summary>Which end of a text longer than <see cref="MaxLength"/> is kept.</summary>
    public TruncationSide Truncation { get; }

    /// <summary>Splits a text into tokens (<see cref="Text.EnglishTokenizer"/> by default).</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>The ids of <paramref name="text"/>, truncated. Not thread-safe: an encoder reuses one buffer.</summary>
    public int[] Encode(string text)
    {
        Tokenize(text);
        return Kept().ToArray();
    }

    /// <summary>Encodes all <paramref name="examples"/>; <paramref name="labels"/> holds the label id of each.</summary>
    public EncodedExamples Encode(IReadOnlyList<LabeledText> examples, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(examples);
        return Encode(examples, labels, Enumerable.Range(0, examples.Count).ToArray());
    }

    /// <summary>Encodes the examples at <paramref name="indices"/> (such as the validation part of a
    /// <see cref="SplitIndices"/>); <paramref name="labels"/> holds the label id of every example of <paramref name="examples"/>.
    /// The result's <see cref="EncodedExamples.SourceIndices"/> are these indices.</summary>
    public EncodedExamples Encode(IReadOnlyList<LabeledText> examples, int[] labels, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != examples.Count)
            throw new ArgumentException($"{examples.Count} examples need {examples.Count} labels, got {labels.Length}.", nameof(labels));
        int count = indices.Length;
        var offsets = new int[count + 1];
        var sequenceLabels = new int[count];
        var sources = indices.ToArray();
        var tokens = new List<int>();
        long before = 0, unknown = 0;
        int truncated = 0, empty = 0;
        for (int k = 0; k < count; k++)
        {
            int i = indices[k];
            if (Tokenize(examples[i].Text) == 0) empty++;
            before += _ids.Count;
            if (MaxLength > 0 && _ids.Count > MaxLength) truncated++;
            ReadOnlySpan<int> kept = Kept();
            foreach (int id in kept)
                if (id == Vocabulary.UnknownId) unknown++;
            tokens.AddRange(kept);
            offsets[k + 1] = tokens.Count;
            sequenceLabels[k] = labels[i];
        }
        return new EncodedExamples([.. tokens], offsets, sequenceLabels, sources)
        {
            Statistics = new EncodingStatistics(count, tokens.Count, unknown, truncated, before, empty),
        };
    }

    /// <summary>Tokenizes into <see cref="_ids"/>, with one <c>&lt;unk&gt;</c> for a text without tokens; returns the number of real tokens.</summary>
    private int Tokenize(string text)
    {
        _ids.Clear();
        Tokenizer(text, _onToken);
        int length = _ids.Count;
        if (length == 0) _ids.Add(Vocabulary.UnknownId);
        return length;
    }

    /// <summary>The tokenized ids after truncation.</summary>
    private ReadOnlySpan<int> Kept()
    {
        ReadOnlySpan<int> ids = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_ids);
        if (MaxLength == 0 || ids.Length <= MaxLength) return ids;
        return Truncation == TruncationSide.KeepStart ? ids[..MaxLength] : ids[^MaxLength..];
    }
}
