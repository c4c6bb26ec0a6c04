using Recurrent.Data.Classification;

namespace Recurrent.Data.Labelling;

/// <summary>
/// Cuts <see cref="TaggedSequences"/> into padded, time-major <see cref="TaggingBatch"/>es in the order of a
/// <see cref="SequenceBatcher"/>: for training, bucketed by length and reshuffled as a pure function of (seed,
/// epoch), so a resumed run sees the same batches; for evaluation, sorted by length. Sentences are right-padded and
/// ordered longest first within a batch. <see cref="Fill"/> allocates nothing.
/// </summary>
internal sealed class TaggingBatcher
{
    private readonly TaggedSequences _data;
    private readonly SequenceBatcher _order;
    private readonly int[] _formSlot, _formStamp, _batchForms;
    private int _stamp;

    /// <param name="batchSize">Sentences per batch; the last batch of an epoch may hold fewer.</param>
    /// <exception cref="ArgumentException">There are no sentences.</exception>
    public TaggingBatcher(TaggedSequences data, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
        _order = new SequenceBatcher(data.Shape, new SequenceBatcherOptions { BatchSize = batchSize, Padding = PaddingSide.Right });
        _formSlot = new int[data.FormCount];
        _formStamp = new int[data.FormCount];
        _batchForms = new int[data.Forms.Length == 0 ? 0 : (int)Math.Min(data.FormCount, (long)batchSize * Math.Max(1, data.MaxLength))];
    }

    public TaggedSequences Data => _data;

    /// <summary>Batches per epoch.</summary>
    public int BatchCount => _order.BatchCount;

    /// <summary>Arranges the training batches of <paramref name="epoch"/> (see <see cref="SequenceBatcher.ShuffleEpoch"/>).</summary>
    public void ShuffleEpoch(ulong seed, int epoch) => _order.ShuffleEpoch(seed, epoch);

    /// <summary>Arranges the batches by length, longest first (the initial order).</summary>
    public void OrderForEvaluation() => _order.OrderForEvaluation();

    /// <summary>Real and processed tokens over the batches of the current order.</summary>
    public PaddingStatistics Padding() => _order.Padding();

    /// <summary>Buffers big enough for every batch of this batcher.</summary>
    public TaggingBatch CreateBatch()
    {
        int size = Math.Min(_order.Options.BatchSize, _data.Count);
        return new TaggingBatch(size, Math.Max(1, _data.MaxLength), _data.Words.Length > 0, _data.Features.Length, _data.FrameSize,
            _batchForms.Length, _data.MaxFormLength);
    }

    /// <summary>Writes batch <paramref name="batchIndex"/> of the current order into <paramref name="batch"/>.</summary>
    public void Fill(int batchIndex, TaggingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ReadOnlySpan<int> sentences = _order.ExamplesOf(batchIndex);
        int size = sentences.Length, steps = _order.StepsOf(batchIndex);
        TaggedSequences d = _data;
        batch.Start(size, steps, d.HasTags);
        bool words = d.Words.Length > 0, chars = d.Forms.Length > 0, tags = d.Tags.Length > 0;
        int frameSize = d.FrameSize, featureColumns = d.Features.Length;
        Span<int> wordBuffer = batch.WordBuffer, tagBuffer = batch.TagBuffer, formBuffer = batch.TokenFormBuffer;
        Span<float> frames = batch.FrameBuffer;
        if (chars && ++_stamp == int.MaxValue)
        {
            Array.Clear(_formStamp);
            _stamp = 1;
        }
        for (int b = 0; b < size; b++)
        {
            int s = sentences[b], start = d.Offsets[s], length = d.LengthOf(s);
            batch.SetSentence(b, s, length);
            for (int t = 0; t < length; t++)
            {
                int row = t * size + b, token = start + t;
                if (words) wordBuffer[row] = d.Words[token];
                if (tags) tagBuffer[row] = d.Tags[token];
                for (int c = 0; c < featureColumns; c++) batch.FeatureBuffer(c)[row] = d.Features[c][token];
                if (frameSize > 0) d.Frames.AsSpan(token * frameSize, frameSize).CopyTo(frames.Slice(row * frameSize, frameSize));
                if (chars)
                {
                    int form = d.Forms[token];
                    if (_formStamp[form] != _stamp)
                    {
                        _formStamp[form] = _stamp;
                        _batchForms[batch.Forms] = form;
                        _formSlot[form] = batch.AddForm(d.FormOffsets[form + 1] - d.FormOffsets[form]);
                    }
                    formBuffer[row] = _formSlot[form];
                }
            }
        }
        if (chars)
        {
            batch.ClearChars();
            for (int u = 0; u < batch.Forms; u++)
            {
                int form = _batchForms[u];
                batch.SetFormChars(u, d.FormChars.AsSpan(d.FormOffsets[form], d.FormOffsets[form + 1] - d.FormOffsets[form]));
            }
        }
    }
}
