using Recurrent.Data.Labelling;
using Recurrent.Layers;
using Recurrent.Metrics;
using Recurrent.Tensors;
using Recurrent.Training;
using Recurrent.Training.Distributed;

namespace Recurrent.Models;

/// <summary>
/// Sequence labelling as a <see cref="Trainer"/> task: each epoch the training sentences are bucketed by length and
/// reshuffled from (seed, epoch) (<see cref="TaggingBatcher"/>), every batch starts from a zero state, and the loss
/// is averaged over the batch's real tokens. Validation reports the loss per token and token accuracy; for chunk
/// tags also conlleval's chunk F1 (as a fraction), and for frame data (OCR) letter error and word error.
/// </summary>
/// <remarks>
/// Selection metric <c>auto</c> picks F1 for chunk tags and accuracy otherwise. With training tokens whose word is
/// seen once in training, <see cref="SequenceTaggerConfig.WordDropout"/> replaces them by &lt;unk&gt; with draws from
/// the model's generator, which checkpoints save, so a resumed run draws the same.
/// Split over processes (<see cref="IShardedTask"/>), each trains a contiguous range of every batch's sentences,
/// padded to the whole batch's steps, after the word dropout of the whole batch; the loss is still averaged over
/// the whole batch's tokens.
/// </remarks>
public sealed class SequenceTaggerTask : IShardedTask
{
    private readonly TaggingBatcher _train, _valid;
    private readonly TaggingBatch _batch, _validBatch;
    private readonly Dictionary<string, string> _metadata;
    private readonly int[] _wordCounts;
    private int _shuffledEpoch = -1;
    private BatchShard _shard = BatchShard.Whole;
    private TaggingBatch? _part;

    /// <summary>A task that trains <paramref name="model"/> on <paramref name="train"/> and validates on <paramref name="valid"/>, both encoded with <paramref name="vocabularies"/>.</summary>
    public SequenceTaggerTask(SequenceTagger model, TaggingVocabularies vocabularies, TaggedSequences train, TaggedSequences valid)
    {
        Tagger = model;
        Vocabularies = vocabularies;
        SequenceTaggerConfig c = model.Config;
        if (vocabularies.Tags.Count != c.Tags) throw new ArgumentException($"{vocabularies.Tags.Count} tags for a {c.Tags}-tag model.", nameof(vocabularies));
        if (train.Count == 0) throw new RecurrentException("The training split holds no sentences.");
        if (valid.Count == 0) throw new RecurrentException("The validation split holds no sentences; use a larger --valid-fraction or more data.");
        ApplyConstraints(model, vocabularies);
        _train = new TaggingBatcher(train, c.BatchSize);
        _valid = new TaggingBatcher(valid, c.BatchSize);
        _batch = _train.CreateBatch();
        _validBatch = _valid.CreateBatch();
        _wordCounts = new int[vocabularies.Words.Count];
        foreach (int id in train.Words) _wordCounts[id]++;
        if (c.LmWeight > 0) model.WordClasses = SequenceTagger.NeighbourWordClasses(_wordCounts, c.LmVocab);
        _metadata = Metadata(vocabularies);
        Settings = c.TrainingSettings(SelectionMetricOf(c, vocabularies));
        string layers = $"{c.NumLayers} × {c.HiddenSize} {(c.Bidirectional ? "bidirectional " : "")}{c.Cell.ToString().ToUpperInvariant()}";
        Presentation = new TaskPresentation("tokens", LossDisplay.Nats, $"tagger: {layers}, {(c.Output == TaggerOutput.Crf ? "CRF" : "softmax")}", MetricsOf(c, vocabularies));
    }

    /// <summary>The model, typed.</summary>
    public SequenceTagger Tagger { get; }

    /// <summary>The vocabularies the data was encoded with (stored in checkpoints).</summary>
    public TaggingVocabularies Vocabularies { get; }

    /// <inheritdoc/>
    public string Kind => "tagger";

    /// <inheritdoc/>
    public IModel Model => Tagger;

    /// <inheritdoc/>
    public TrainingSettings Settings { get; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, string> CheckpointMetadata => _metadata;

    /// <inheritdoc/>
    public IReadOnlyList<Tensor> CarriedState => [];

    /// <inheritdoc/>
    public TaskPresentation Presentation { get; }

    /// <inheritdoc/>
    public int BatchCount => _train.BatchCount;

    /// <summary>
    /// A fresh model for the data: the vocabularies from the training sentences and the tag set from the training and
    /// development ones (<see cref="TaggingVocabularies.Build"/>), and the config's sizes from them (vocabularies,
    /// feature columns, tags, frame size).
    /// </summary>
    /// <exception cref="RecurrentException">The config reads no input the data has, or the data do not fit it.</exception>
    public static (SequenceTagger Model, TaggingVocabularies Vocabularies) CreateModel(SequenceTaggerConfig config,
        IReadOnlyList<LabelledSentence> train, IReadOnlyList<LabelledSentence> dev, IEnumerable<string>? extraWords = null)
    {
        (config, TaggingVocabularies vocabularies) = ConfigFor(config, train, dev, extraWords);
        return (new SequenceTagger(config), vocabularies);
    }

    /// <summary>
    /// What <see cref="CreateModel"/> does before it builds the model: the vocabularies, and the config with the sizes
    /// they give (so that the memory can be checked first, <see cref="EstimateMemory"/>).
    /// </summary>
    /// <exception cref="RecurrentException">The config reads no input the data has, or the data do not fit it.</exception>
    internal static (SequenceTaggerConfig Config, TaggingVocabularies Vocabularies) ConfigFor(SequenceTaggerConfig config,
        IReadOnlyList<LabelledSentence> train, IReadOnlyList<LabelledSentence> dev, IEnumerable<string>? extraWords = null)
    {
        if (train.Count == 0) throw new RecurrentException("The training split holds no sentences.");
        LabelledSentence first = train[0];
        string where = first.Source.Length > 0 ? first.Source : "the training data";
        if (first.FrameSize == 0 && config.WordEmbeddingSize == 0 && config.CharEmbeddingSize == 0)
            throw new RecurrentException($"{where} holds words, but the config reads neither words nor characters (word_embedding_size and char_embedding_size are 0): frame presets such as tfmi-ocr need OCR letters.");
        if (first.FrameSize > 0 && (config.WordEmbeddingSize > 0 || config.CharEmbeddingSize > 0))
            throw new RecurrentException($"{where} holds frames (OCR letters), but the config reads words: use the tfmi-ocr preset, or set word_embedding_size and char_embedding_size to 0.");
        config = config with { FrameSize = first.FrameSize };
        TaggingVocabularies v = TaggingVocabularies.Build(train, dev, config.TaggingOptions(), extraWords);
        config = config with
        {
            VocabSize = v.Words.Count,
            CharVocabSize = v.Characters.Count,
            FeatureVocabSizes = v.Features.Select(f => f.Count).ToArray(),
            Tags = v.Tags.Count,
        };
        config.Validate();
        return (config, v);
    }

    /// <summary>
    /// The memory to train <paramref name="config"/> on these encoded splits, with batches as
    /// <see cref="TaggingBatcher"/> sizes them: at most batch_size sentences of the longest length, and for the character
    /// BiLSTM at most the distinct forms a batch can hold, of the longest form's length.
    /// </summary>
    internal static MemoryEstimate EstimateMemory(SequenceTaggerConfig config, TaggedSequences train, TaggedSequences valid)
    {
        int steps = Math.Max(1, Math.Max(train.MaxLength, valid.MaxLength));
        int forms(TaggedSequences data) => data.Forms.Length == 0 ? 0 : (int)Math.Min(data.FormCount, (long)config.BatchSize * Math.Max(1, data.MaxLength));
        return MemoryEstimate.For(config, steps, batch: Math.Min(config.BatchSize, Math.Max(train.Count, valid.Count)),
            forms: Math.Max(forms(train), forms(valid)), charSteps: Math.Max(train.MaxFormLength, valid.MaxFormLength));
    }

    /// <summary>The vocabularies a tagger checkpoint stored, for its model's config.</summary>
    public static TaggingVocabularies VocabulariesOf(LoadedCheckpoint loaded)
    {
        var model = loaded.Model as SequenceTagger ?? throw new RecurrentException($"{loaded.Path} holds a {loaded.Kind} model, not a tagger.");
        TaggingVocabularies v = TaggingVocabularies.FromJson(model.Config.TaggingOptions(), loaded.VocabularyJson,
            loaded.Metadata(TaggingVocabularies.CharactersKey), loaded.Metadata(TaggingVocabularies.FeaturesKey), loaded.Metadata(ModelCheckpoint.LabelsKey));
        SequenceTaggerConfig c = model.Config;
        if (v.Tags.Count != c.Tags || v.Words.Count != c.VocabSize || v.Characters.Count != c.CharVocabSize
            || !v.Features.Select(f => f.Count).SequenceEqual(c.FeatureVocabSizes))
            throw new RecurrentException($"{loaded.Path}: the stored vocabularies do not fit the model's config (tags {v.Tags.Count} vs {c.Tags}, words {v.Words.Count} vs {c.VocabSize}).");
        ApplyConstraints(model, v);
        return v;
    }

    /// <summary>What a tagger checkpoint stores beside its config: the words, the tags, the characters and the feature values.</summary>
    internal static Dictionary<string, string> Metadata(TaggingVocabularies v) => new()
    {
        [ModelCheckpoint.VocabularyKey] = v.Words.ToJson(),
        [ModelCheckpoint.LabelsKey] = System.Text.Json.JsonSerializer.Serialize(v.Tags.Names),
        [TaggingVocabularies.CharactersKey] = v.Characters.ToJson(),
        [TaggingVocabularies.FeaturesKey] = v.FeaturesJson(),
    };

    /// <summary>The validation metrics shown each epoch: accuracy and F1 for chunks, letter and word error for frames, else accuracy.</summary>
    internal static IReadOnlyList<string> MetricsOf(SequenceTaggerConfig c, TaggingVocabularies v) =>
        v.IsChunkTagging ? ["accuracy", "f1"] : c.FrameSize > 0 ? ["letter_error", "word_error"] : ["accuracy"];

    /// <summary>The config's selection metric with <c>auto</c> resolved: F1 for chunk tags, accuracy otherwise.</summary>
    /// <exception cref="RecurrentException">F1 is asked for tags that are not chunk tags.</exception>
    internal static string SelectionMetricOf(SequenceTaggerConfig c, TaggingVocabularies v)
    {
        if (c.SelectionMetric == "auto") return v.IsChunkTagging ? "f1" : "accuracy";
        if (c.SelectionMetric == "f1" && !v.IsChunkTagging)
            throw new RecurrentException("Setting selection_metric f1 needs chunk tags (O, B-TYPE, I-TYPE); these tags are scored by accuracy.");
        return c.SelectionMetric;
    }

    /// <summary>Sets the CRF's transition constraints from the tag names when the config asks for them (chunk encodings only).</summary>
    internal static void ApplyConstraints(SequenceTagger model, TaggingVocabularies v)
    {
        SequenceTaggerConfig c = model.Config;
        model.Constraints = c.Output == TaggerOutput.Crf && c.Constrained && c.TagEncoding != TagEncoding.None
            ? TransitionConstraints.ForScheme(v.Tags.Names, c.TagEncoding == TagEncoding.Iobes ? TaggingScheme.Iobes : TaggingScheme.Bio)
            : null;
    }

    /// <inheritdoc/>
    public void CheckData() { } // every split is encoded (and so checked) when the task is built

    /// <inheritdoc/>
    public void StartEpoch(int epoch) => Arrange(epoch);

    private void Arrange(int epoch)
    {
        if (_shuffledEpoch == epoch) return;
        _train.ShuffleEpoch(Tagger.Config.Seed, epoch);
        _shuffledEpoch = epoch;
    }

    /// <summary>Padded steps over processed steps of an epoch's training batches.</summary>
    internal Data.Classification.PaddingStatistics TrainPadding(int epoch)
    {
        Arrange(epoch);
        return _train.Padding();
    }

    /// <inheritdoc/>
    public BatchLoss TrainBatch(int epoch, int batch)
    {
        Arrange(epoch);
        _train.Fill(batch, _batch);
        _batch.ReplaceRareWords(_wordCounts, Tagger.Config.WordDropout, Tagger.Random);
        int size = _batch.Size;
        (int first, int count) = _shard.Of(size);
        if (count == 0) return default;
        TaggingBatch part = _batch;
        if (count < size)
        {
            part = _part ??= _train.CreateBatch();
            part.CopyRows(_batch, first, count);
        }
        using Layers.Dropout.RowScope rows = Layers.Dropout.DrawForRows(first, size);
        double loss = Tagger.TrainBatch(part, 1f / _batch.RealTokens);
        return new BatchLoss(loss, part.RealTokens, part.RealTokens);
    }

    void IShardedTask.UseShard(BatchShard shard) => _shard = shard;

    void IShardedTask.ExportCarriedState() { } // no state is carried between batches

    void IShardedTask.ImportCarriedState() { }

    /// <inheritdoc/>
    public Evaluation Validate(int? maxBatches)
    {
        (double loss, TaggingReport report, long tokens) = Evaluate(Tagger, Vocabularies, _valid, _validBatch, maxBatches, null);
        return new Evaluation(loss, tokens, MetricValues(Tagger.Config, report));
    }

    /// <summary>The report's numbers under the trainer's metric names (all fractions).</summary>
    internal static Dictionary<string, double> MetricValues(SequenceTaggerConfig c, TaggingReport report)
    {
        var metrics = new Dictionary<string, double> { ["accuracy"] = report.Accuracy };
        if (report.Chunks is { } chunks) metrics["f1"] = chunks.F1 / 100;
        if (c.FrameSize > 0)
        {
            metrics["letter_error"] = 1 - report.Accuracy;
            metrics["word_error"] = report.SentenceError;
        }
        return metrics;
    }

    /// <summary>
    /// Tags <paramref name="data"/> and scores it against its gold tags: the mean loss per token, the report, and the
    /// tokens processed. With <paramref name="predictions"/> (one slot per sentence) the predicted tags of each
    /// sentence, as the data writes them, are stored there.
    /// </summary>
    public static (double Loss, TaggingReport Report, long Tokens) Evaluate(SequenceTagger model, TaggingVocabularies vocabularies, TaggedSequences data,
        int? maxBatches = null, string[][]? predictions = null)
    {
        var batcher = new TaggingBatcher(data, model.Config.BatchSize);
        return Evaluate(model, vocabularies, batcher, batcher.CreateBatch(), maxBatches, predictions);
    }

    private static (double Loss, TaggingReport Report, long Tokens) Evaluate(SequenceTagger model, TaggingVocabularies vocabularies, TaggingBatcher batcher,
        TaggingBatch batch, int? maxBatches, string[][]? predictions)
    {
        TaggedSequences data = batcher.Data;
        var report = new TaggingReport(vocabularies.IsChunkTagging);
        var predicted = new int[batch.MaxSize * batch.MaxSteps];
        double loss = 0;
        long tokens = 0;
        int batches = maxBatches is { } max ? Math.Min(max, batcher.BatchCount) : batcher.BatchCount;
        for (int i = 0; i < batches; i++)
        {
            batcher.Fill(i, batch);
            loss += model.Evaluate(batch, predicted);
            int size = batch.Size;
            for (int b = 0; b < size; b++)
            {
                int s = batch.Indices[b], length = batch.Lengths[b];
                IReadOnlyList<string> gold = data.Sentences[s].Tags;
                string[]? output = predictions is null ? null : predictions[s] = new string[length];
                for (int t = 0; t < length; t++)
                {
                    string tag = vocabularies.DataTag(predicted[t * size + b]);
                    if (output is not null) output[t] = tag;
                    if (data.HasTags) report.AddToken(gold[t], tag);
                }
                if (data.HasTags) report.EndSentence();
            }
            tokens += batch.RealTokens;
        }
        return (loss / Math.Max(tokens, 1), report, tokens);
    }

    /// <summary>Predicted tags of <paramref name="sentences"/> (gold tags not needed), as the data writes them, in order.</summary>
    public static string[][] Predict(SequenceTagger model, TaggingVocabularies vocabularies, IReadOnlyList<LabelledSentence> sentences)
    {
        var predictions = new string[sentences.Count][];
        if (sentences.Count == 0) return predictions;
        TaggedSequences data = vocabularies.Encode(sentences, withTags: false);
        Evaluate(model, vocabularies, data, null, predictions);
        return predictions;
    }
}
