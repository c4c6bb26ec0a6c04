using Recurrent.Tensors;

namespace Recurrent.Data.Labelling;

/// <summary>
/// One padded batch of sentences for a tagger, time-major: token t of sentence b is row <c>t·Size + b</c> of every
/// per-token array. Sentences are right-padded and ordered longest first. The characters of the batch's distinct
/// word forms form a second, time-major batch of their own (<see cref="CharIds"/>), which <see cref="TokenForms"/>
/// maps tokens into. Buffers are allocated once, for the largest batch, and refilled by <see cref="TaggingBatcher.Fill"/>.
/// </summary>
internal sealed class TaggingBatch
{
    private readonly int[] _lengths, _indices, _words, _tags, _tokenForms, _charIds, _charLengths;
    private readonly int[][] _features;
    private readonly float[] _frames;
    private int[] _sourceForms = []; // CopyRows' map from the source's forms to this batch's

    /// <param name="maxSize">Most sentences per batch.</param>
    /// <param name="maxSteps">Longest sentence.</param>
    /// <param name="maxForms">Most distinct forms per batch (0 without characters).</param>
    /// <param name="maxChars">Longest form (0 without characters).</param>
    public TaggingBatch(int maxSize, int maxSteps, bool words, int featureColumns, int frameSize, int maxForms, int maxChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 1);
        MaxSize = maxSize;
        MaxSteps = maxSteps;
        int rows = checked(maxSize * maxSteps);
        _lengths = new int[maxSize];
        _indices = new int[maxSize];
        _words = words ? new int[rows] : [];
        _tags = new int[rows];
        _features = new int[featureColumns][];
        for (int c = 0; c < featureColumns; c++) _features[c] = new int[rows];
        FrameSize = frameSize;
        _frames = new float[checked(rows * frameSize)];
        _tokenForms = maxForms > 0 ? new int[rows] : [];
        _charIds = new int[checked(Math.Max(maxForms, 0) * Math.Max(maxChars, 0))];
        _charLengths = new int[Math.Max(maxForms, 0)];
    }

    public int MaxSize { get; }

    public int MaxSteps { get; }

    /// <summary>Sentences in this batch (B).</summary>
    public int Size { get; private set; }

    /// <summary>Time steps in this batch (T): its longest sentence.</summary>
    public int Steps { get; private set; }

    /// <summary>Tokens that are not padding: the sum of <see cref="Lengths"/>.</summary>
    public int RealTokens { get; private set; }

    /// <summary>The length of each sentence, longest first.</summary>
    public ReadOnlySpan<int> Lengths => _lengths.AsSpan(0, Size);

    /// <summary>The index of each sentence in the <see cref="TaggedSequences"/> it came from.</summary>
    public ReadOnlySpan<int> Indices => _indices.AsSpan(0, Size);

    /// <summary>T·B word ids (padding: 0); empty without word input.</summary>
    public ReadOnlySpan<int> Words => _words.Length == 0 ? default : _words.AsSpan(0, Steps * Size);

    /// <summary>T·B tag ids; −1 at padding and for tags the model does not know (or all −1 without gold tags).</summary>
    public ReadOnlySpan<int> Tags => _tags.AsSpan(0, Steps * Size);

    /// <summary>Whether the sentences came with gold tags.</summary>
    public bool HasTags { get; private set; }

    /// <summary>Feature columns.</summary>
    public int FeatureColumns => _features.Length;

    /// <summary>T·B ids of feature column <paramref name="column"/> (padding: 0).</summary>
    public ReadOnlySpan<int> Features(int column) => _features[column].AsSpan(0, Steps * Size);

    /// <summary>Floats per frame; 0 without frames.</summary>
    public int FrameSize { get; }

    /// <summary>[T, B, FrameSize] frames (padding: zeros).</summary>
    public ReadOnlySpan<float> Frames => _frames.AsSpan(0, Steps * Size * FrameSize);

    /// <summary>T·B indices into the batch's distinct forms (padding: −1); empty without characters.</summary>
    public ReadOnlySpan<int> TokenForms => _tokenForms.Length == 0 ? default : _tokenForms.AsSpan(0, Steps * Size);

    /// <summary>Distinct word forms in the batch (U).</summary>
    public int Forms { get; private set; }

    /// <summary>Characters of the longest form (C).</summary>
    public int CharSteps { get; private set; }

    /// <summary>C·U character ids, time-major: character c of form u at <c>c·U + u</c> (padding: 0).</summary>
    public ReadOnlySpan<int> CharIds => _charIds.AsSpan(0, CharSteps * Forms);

    /// <summary>The length of each form in characters.</summary>
    public ReadOnlySpan<int> CharLengths => _charLengths.AsSpan(0, Forms);

    /// <summary>
    /// Makes this batch sentences <c>[first, first + count)</c> of <paramref name="source"/> (one process's share of a
    /// batch split over several), padded to the source's steps. The forms are those these sentences use, numbered in
    /// order of first use as <see cref="TaggingBatcher.Fill"/> numbers them.
    /// </summary>
    public void CopyRows(TaggingBatch source, int first, int count)
    {
        if (first < 0 || count < 1 || first + count > source.Size)
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows {first} .. {first + count} are outside the batch's 0 .. {source.Size}.");
        if (FrameSize != source.FrameSize || FeatureColumns != source.FeatureColumns || _words.Length == 0 != (source._words.Length == 0))
            throw new ArgumentException("The batches hold different inputs.", nameof(source));
        Start(count, source.Steps, source.HasTags);
        int from = source.Size, frame = FrameSize;
        bool words = _words.Length > 0, chars = _tokenForms.Length > 0;
        int[] slots = _sourceForms; // source form → this batch's form + 1 (0: not used yet)
        if (chars)
        {
            if (slots.Length < source.Forms) slots = _sourceForms = new int[source._charLengths.Length];
            slots.AsSpan(0, source.Forms).Clear();
        }
        for (int b = 0; b < count; b++)
        {
            int length = source._lengths[first + b];
            SetSentence(b, source._indices[first + b], length);
            for (int t = 0; t < length; t++)
            {
                int row = t * count + b, at = t * from + first + b;
                if (words) _words[row] = source._words[at];
                _tags[row] = source._tags[at];
                for (int c = 0; c < _features.Length; c++) _features[c][row] = source._features[c][at];
                if (frame > 0) source._frames.AsSpan(at * frame, frame).CopyTo(_frames.AsSpan(row * frame, frame));
                if (chars)
                {
                    int form = source._tokenForms[at];
                    if (slots[form] == 0) slots[form] = AddForm(source._charLengths[form]) + 1;
                    _tokenForms[row] = slots[form] - 1;
                }
            }
        }
        if (!chars) return;
        ClearChars();
        int sourceForms = source.Forms;
        for (int form = 0; form < sourceForms; form++)
        {
            if (slots[form] == 0) continue;
            int u = slots[form] - 1, length = source._charLengths[form];
            for (int c = 0; c < length; c++) _charIds[c * Forms + u] = source._charIds[c * sourceForms + form];
        }
    }

    internal void Start(int size, int steps, bool hasTags)
    {
        if (size > MaxSize || steps > MaxSteps)
            throw new ArgumentException($"A batch of {size} × {steps} does not fit buffers for {MaxSize} × {MaxSteps}.");
        Size = size;
        Steps = steps;
        HasTags = hasTags;
        RealTokens = 0;
        Forms = 0;
        CharSteps = 0;
        int rows = size * steps;
        _words.AsSpan(0, Math.Min(rows, _words.Length)).Clear();
        _tags.AsSpan(0, rows).Fill(-1);
        foreach (int[] f in _features) f.AsSpan(0, rows).Clear();
        _frames.AsSpan(0, rows * FrameSize).Clear();
        if (_tokenForms.Length > 0) _tokenForms.AsSpan(0, rows).Fill(-1);
    }

    internal void SetSentence(int row, int index, int length)
    {
        _lengths[row] = length;
        _indices[row] = index;
        RealTokens += length;
    }

    internal Span<int> WordBuffer => _words;
    internal Span<int> TagBuffer => _tags;
    internal int[] FeatureBuffer(int column) => _features[column];
    internal Span<float> FrameBuffer => _frames;
    internal Span<int> TokenFormBuffer => _tokenForms;

    /// <summary>Adds a distinct form of <paramref name="length"/> characters; returns its index u.</summary>
    internal int AddForm(int length)
    {
        _charLengths[Forms] = length;
        CharSteps = Math.Max(CharSteps, length);
        return Forms++;
    }

    /// <summary>Writes the characters of the forms once all are added (their layout depends on U and C).</summary>
    internal void SetFormChars(int form, ReadOnlySpan<int> chars)
    {
        for (int c = 0; c < chars.Length; c++) _charIds[c * Forms + form] = chars[c];
    }

    internal void ClearChars() => _charIds.AsSpan(0, CharSteps * Forms).Clear();

    /// <summary>
    /// Word dropout: each real token whose word occurs once in the training data (<paramref name="counts"/>[id] = 1)
    /// is replaced by &lt;unk&gt; (id 1) with probability <paramref name="probability"/>, one draw per such token in row order.
    /// </summary>
    public void ReplaceRareWords(ReadOnlySpan<int> counts, float probability, RandomGenerator random)
    {
        if (_words.Length == 0 || probability <= 0) return;
        int batch = Size;
        for (int t = 0; t < Steps; t++)
            for (int b = 0; b < batch && t < _lengths[b]; b++)
            {
                ref int id = ref _words[t * batch + b];
                if (id < counts.Length && counts[id] == 1 && random.NextDouble() < probability) id = Classification.ClassificationVocabulary.UnknownId;
            }
    }
}
