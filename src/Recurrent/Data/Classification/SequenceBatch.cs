namespace Recurrent.Data.Classification;

/// <summary>
/// One padded batch, time-major: the token of sequence <c>b</c> at step <c>t</c> is <c>Tokens[t·Size + b]</c>.
/// The buffers are allocated once, for the largest batch, and refilled by <see cref="SequenceBatcher.Fill"/>.
/// </summary>
internal sealed class SequenceBatch
{
    private readonly int[] _tokens;
    private readonly int[] _lengths;
    private readonly int[] _labels;
    private readonly int[] _indices;

    /// <summary>Buffers for up to <paramref name="maxSize"/> sequences of up to <paramref name="maxSteps"/> steps.</summary>
    public SequenceBatch(int maxSize, int maxSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 1);
        MaxSize = maxSize;
        MaxSteps = maxSteps;
        _tokens = new int[checked(maxSize * maxSteps)];
        _lengths = new int[maxSize];
        _labels = new int[maxSize];
        _indices = new int[maxSize];
    }

    public int MaxSize { get; }

    public int MaxSteps { get; }

    /// <summary>Sequences in this batch (B).</summary>
    public int Size { get; private set; }

    /// <summary>Time steps in this batch (T).</summary>
    public int Steps { get; private set; }

    /// <summary>Where the padding is.</summary>
    public PaddingSide Padding { get; private set; }

    /// <summary>T·B token ids, time-major; padding is <see cref="ClassificationVocabulary.PaddingId"/>.</summary>
    public ReadOnlySpan<int> Tokens => _tokens.AsSpan(0, Steps * Size);

    /// <summary>The real length of each sequence (B entries). With left padding, sequence <c>b</c> occupies steps
    /// <c>T − Lengths[b] .. T−1</c>; with right padding, steps <c>0 .. Lengths[b]−1</c>.</summary>
    public ReadOnlySpan<int> Lengths => _lengths.AsSpan(0, Size);

    /// <summary>The label id of each sequence.</summary>
    public ReadOnlySpan<int> Labels => _labels.AsSpan(0, Size);

    /// <summary>The index of each sequence in the <see cref="EncodedExamples"/> it came from.</summary>
    public ReadOnlySpan<int> Indices => _indices.AsSpan(0, Size);

    /// <summary>Real (non-padding) steps: the sum of <see cref="Lengths"/>.</summary>
    public int RealSteps { get; private set; }

    /// <summary>Steps the batch holds, padding included: T·B.</summary>
    public int TotalSteps => Steps * Size;

    /// <summary>
    /// Makes this batch rows <c>[first, first + count)</c> of <paramref name="source"/>, with its steps and padding
    /// (one process's share of a batch split over several).
    /// </summary>
    public void CopyRows(SequenceBatch source, int first, int count)
    {
        if (first < 0 || count < 1 || first + count > source.Size)
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows {first} .. {first + count} are outside the batch's 0 .. {source.Size}.");
        Start(count, source.Steps, source.Padding);
        int from = source.Size;
        for (int t = 0; t < Steps; t++)
            source._tokens.AsSpan(t * from + first, count).CopyTo(_tokens.AsSpan(t * count, count));
        source._lengths.AsSpan(first, count).CopyTo(_lengths);
        source._labels.AsSpan(first, count).CopyTo(_labels);
        source._indices.AsSpan(first, count).CopyTo(_indices);
        for (int b = 0; b < count; b++) RealSteps += _lengths[b];
    }

    internal void Start(int size, int steps, PaddingSide padding)
    {
        if (size > MaxSize || steps > MaxSteps)
            throw new ArgumentException($"A batch of {size} × {steps} does not fit buffers for {MaxSize} × {MaxSteps}.");
        Size = size;
        Steps = steps;
        Padding = padding;
        RealSteps = 0;
        _tokens.AsSpan(0, size * steps).Fill(ClassificationVocabulary.PaddingId);
    }

    internal void Set(int row, ReadOnlySpan<int> sequence, int label, int index)
    {
        int size = Size;
        int first = Padding == PaddingSide.Left ? Steps - sequence.Length : 0;
        Span<int> tokens = _tokens;
        for (int t = 0; t < sequence.Length; t++) tokens[(first + t) * size + row] = sequence[t];
        _lengths[row] = sequence.Length;
        _labels[row] = label;
        _indices[row] = index;
        RealSteps += sequence.Length;
    }
}
