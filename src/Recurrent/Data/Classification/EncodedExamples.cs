namespace Recurrent.Data.Classification;

/// <summary>
/// Token-id sequences with their labels, stored back to back: sequence <c>i</c> is
/// <c>Tokens[Offsets[i] .. Offsets[i + 1])</c>. What <see cref="SequenceBatcher"/> batches.
/// </summary>
public sealed class EncodedExamples
{
    /// <summary>Wraps prepared arrays (they are referenced, not copied).</summary>
    /// <param name="tokens">All sequences back to back.</param>
    /// <param name="offsets">Where each sequence starts, with the total length at the end: <c>Count + 1</c> ascending entries starting at 0.</param>
    /// <param name="labels">The label id of each sequence.</param>
    /// <param name="sourceIndices">Where each sequence came from (an index into the examples it was encoded from); null for <c>0 .. Count-1</c>.</param>
    /// <exception cref="ArgumentException">The arrays do not fit together.</exception>
    public EncodedExamples(int[] tokens, int[] offsets, int[] labels, int[]? sourceIndices = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(labels);
        if (offsets.Length != labels.Length + 1 || offsets[0] != 0 || offsets[^1] != tokens.Length)
            throw new ArgumentException($"{labels.Length} sequences need {labels.Length + 1} offsets from 0 to {tokens.Length}.", nameof(offsets));
        int max = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int length = offsets[i + 1] - offsets[i];
            if (length < 0) throw new ArgumentException($"Offset {i + 1} is below offset {i}.", nameof(offsets));
            max = Math.Max(max, length);
        }
        if (sourceIndices is not null && sourceIndices.Length != labels.Length)
            throw new ArgumentException($"{labels.Length} sequences need {labels.Length} source indices.", nameof(sourceIndices));
        Tokens = tokens;
        Offsets = offsets;
        Labels = labels;
        SourceIndices = sourceIndices ?? Enumerable.Range(0, labels.Length).ToArray();
        MaxLength = max;
    }

    /// <summary>Builds from separate sequences (tests, generated tasks).</summary>
    public static EncodedExamples FromSequences(IReadOnlyList<int[]> sequences, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var offsets = new int[sequences.Count + 1];
        for (int i = 0; i < sequences.Count; i++) offsets[i + 1] = offsets[i] + sequences[i].Length;
        var tokens = new int[offsets[^1]];
        for (int i = 0; i < sequences.Count; i++) sequences[i].CopyTo(tokens, offsets[i]);
        return new EncodedExamples(tokens, offsets, labels);
    }

    /// <summary>Number of sequences.</summary>
    public int Count => Labels.Length;

    /// <summary>All token ids, sequence after sequence.</summary>
    public int[] Tokens { get; }

    /// <summary><c>Count + 1</c> offsets into <see cref="Tokens"/>.</summary>
    public int[] Offsets { get; }

    /// <summary>The label id of each sequence.</summary>
    public int[] Labels { get; }

    /// <summary>For each sequence, the index of the example it was encoded from (in the list given to the encoder).</summary>
    public int[] SourceIndices { get; }

    /// <summary>The longest sequence's length.</summary>
    public int MaxLength { get; }

    /// <summary>Total number of tokens.</summary>
    public long TotalTokens => Tokens.Length;

    /// <summary>Sequence <paramref name="index"/>.</summary>
    public ReadOnlySpan<int> this[int index] => Tokens.AsSpan(Offsets[index], Offsets[index + 1] - Offsets[index]);

    /// <summary>The length of sequence <paramref name="index"/>.</summary>
    public int LengthOf(int index) => Offsets[index + 1] - Offsets[index];

    /// <summary>What encoding did (zero for sequences built directly).</summary>
    public EncodingStatistics Statistics { get; init; }
}

/// <summary>What <see cref="TextEncoder"/> did to a set of documents.</summary>
/// <param name="Documents">Documents encoded.</param>
/// <param name="Tokens">Tokens kept, after truncation.</param>
/// <param name="UnknownTokens">Kept tokens that were not in the vocabulary (encoded as <c>&lt;unk&gt;</c>).</param>
/// <param name="Truncated">Documents longer than the maximum length.</param>
/// <param name="TokensBeforeTruncation">Tokens before truncation.</param>
/// <param name="Empty">Documents without a single token after tokenizing, encoded as one <c>&lt;unk&gt;</c>.</param>
public readonly record struct EncodingStatistics(int Documents, long Tokens, long UnknownTokens, int Truncated, long TokensBeforeTruncation, int Empty)
{
    /// <summary>Share of the kept tokens that are <c>&lt;unk&gt;</c>.</summary>
    public double UnknownFraction => Tokens == 0 ? 0 : (double)UnknownTokens / Tokens;
}
