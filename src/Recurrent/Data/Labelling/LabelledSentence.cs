namespace Recurrent.Data.Labelling;

/// <summary>
/// One sequence to tag: its inputs (tokens, optionally extra feature columns, or dense frames) and one gold tag per
/// position.
/// </summary>
/// <remarks>
/// Text sequences have <see cref="Tokens"/> and possibly <see cref="Features"/> (e.g. the POS column of CoNLL-2000,
/// <c>Features[0][i]</c> being the POS tag of token i). Frame sequences (OCR letters) have no tokens but
/// <see cref="FrameSize"/> floats per position in <see cref="Frames"/>.
/// </remarks>
public sealed class LabelledSentence
{
    private static readonly string[][] NoFeatures = [];

    /// <summary>A sentence of <paramref name="tokens"/> with their <paramref name="tags"/> and, optionally, feature columns.</summary>
    /// <exception cref="ArgumentException">The lengths differ, or the sentence is empty.</exception>
    public LabelledSentence(string[] tokens, string[] tags, string[][]? features = null, string source = "", int line = 0)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(tags);
        if (tags.Length == 0) throw new ArgumentException("A sentence needs at least one token.", nameof(tags));
        if (tokens.Length != tags.Length) throw new ArgumentException($"{tokens.Length} tokens but {tags.Length} tags.", nameof(tags));
        features ??= NoFeatures;
        foreach (string[] column in features)
            if (column.Length != tags.Length) throw new ArgumentException($"A feature column has {column.Length} values for {tags.Length} tokens.", nameof(features));
        TokenArray = tokens;
        TagArray = tags;
        FeatureArrays = features;
        FrameArray = [];
        Source = source;
        Line = line;
    }

    /// <summary>A sequence of frames (<paramref name="frameSize"/> floats each, row after row) with one tag per frame.</summary>
    /// <exception cref="ArgumentException">The frames do not hold tags.Length × frameSize floats, or the sequence is empty.</exception>
    public LabelledSentence(float[] frames, int frameSize, string[] tags, string source = "", int line = 0)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(tags);
        if (tags.Length == 0) throw new ArgumentException("A sequence needs at least one frame.", nameof(tags));
        if (frameSize <= 0) throw new ArgumentOutOfRangeException(nameof(frameSize), "The frame size must be positive.");
        if (frames.Length != tags.Length * frameSize)
            throw new ArgumentException($"{frames.Length} floats are not {tags.Length} frames of {frameSize}.", nameof(frames));
        TokenArray = [];
        TagArray = tags;
        FeatureArrays = NoFeatures;
        FrameArray = frames;
        FrameSize = frameSize;
        Source = source;
        Line = line;
    }

    /// <summary>Number of positions (tokens or frames).</summary>
    public int Length => TagArray.Length;

    /// <summary>The words; empty for a frame sequence.</summary>
    public IReadOnlyList<string> Tokens => TokenArray;

    /// <summary>The gold tag of each position.</summary>
    public IReadOnlyList<string> Tags => TagArray;

    /// <summary>Extra input columns: <c>Features[c][i]</c> is column c at position i. Empty when there are none.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Features => FeatureArrays;

    /// <summary>[Length, FrameSize] floats, row-major; empty for a text sentence.</summary>
    public ReadOnlySpan<float> Frames => FrameArray;

    /// <summary>Floats per frame; 0 for a text sentence.</summary>
    public int FrameSize { get; }

    /// <summary>The file it was read from (empty when built in memory).</summary>
    public string Source { get; }

    /// <summary>The 1-based line its first position is on in <see cref="Source"/> (0 when built in memory).</summary>
    public int Line { get; }

    internal string[] TokenArray { get; }
    internal string[] TagArray { get; }
    internal string[][] FeatureArrays { get; }
    internal float[] FrameArray { get; }
}
