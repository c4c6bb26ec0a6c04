using System.Text.Json;
using Recurrent.Data.Classification;
using Recurrent.Layers;
using Recurrent.Metrics;
using Recurrent.Tensors;
using Recurrent.Training;
using Recurrent.Training.Distributed;

namespace Recurrent.Models;

/// <summary>
/// Sequence classification as a <see cref="Trainer"/> task: each epoch the training examples are bucketed by
/// length and reshuffled from (seed, epoch) (<see cref="SequenceBatcher"/>), every batch starts from a zero state,
/// the loss is averaged over the batch; validation reports the loss, accuracy and macro F1.
/// Split over processes (<see cref="IShardedTask"/>), each trains a contiguous range of every batch's examples,
/// padded to the whole batch's steps, with the loss still averaged over the whole batch.
/// </summary>
public sealed class SequenceClassifierTask : IShardedTask
{
    private readonly SequenceBatcher _train, _valid;
    private readonly SequenceBatch _batch, _validBatch;
    private readonly Dictionary<string, string> _metadata;
    private int _shuffledEpoch = -1;
    private BatchShard _shard = BatchShard.Whole;
    private SequenceBatch? _part;

    /// <param name="labels">Class names in id order.</param>
    /// <param name="vocabularyJson">The token vocabulary as JSON, stored in every checkpoint.</param>
    public SequenceClassifierTask(SequenceClassifier model, EncodedExamples train, EncodedExamples valid, IReadOnlyList<string> labels, string vocabularyJson)
    {
        Classifier = model;
        Labels = labels;
        SequenceClassifierConfig c = model.Config;
        if (labels.Count != c.Classes) throw new ArgumentException($"{labels.Count} labels for a {c.Classes}-class model.", nameof(labels));
        if (train.Count == 0) throw new RecurrentException("The training split holds no examples.");
        if (valid.Count == 0) throw new RecurrentException("The validation split holds no examples; use a larger --valid-fraction or more data.");
        _train = new SequenceBatcher(train, BatcherOptions(c));
        _valid = new SequenceBatcher(valid, BatcherOptions(c));
        _batch = _train.CreateBatch();
        _validBatch = _valid.CreateBatch();
        _metadata = new Dictionary<string, string>
        {
            [ModelCheckpoint.VocabularyKey] = vocabularyJson,
            [ModelCheckpoint.LabelsKey] = JsonSerializer.Serialize(labels),
        };
        Settings = c.TrainingSettings();
        string layers = $"{c.NumLayers} × {c.HiddenSize} {(c.Bidirectional ? "bidirectional " : "")}{c.Cell.ToString().ToUpperInvariant()}";
        Presentation = new TaskPresentation("tokens", LossDisplay.Nats, $"classifier: {layers}, {c.Head.ToString().ToLowerInvariant()} head", ["accuracy", "macro_f1"]);
    }

    /// <summary>
    /// The memory to train <paramref name="config"/> on these splits: batches as <see cref="SequenceBatcher"/> sizes them
    /// (at most batch_size texts, or all of a smaller split; the longest text, or max_length with left padding).
    /// </summary>
    internal static MemoryEstimate EstimateMemory(SequenceClassifierConfig config, EncodedExamples train, EncodedExamples valid) =>
        MemoryEstimate.For(config,
            steps: config.LeftPad ? config.MaxLength : Math.Max(1, Math.Max(train.MaxLength, valid.MaxLength)),
            batch: Math.Min(config.BatchSize, Math.Max(train.Count, valid.Count)));

    /// <summary>How a config batches: right padding with real lengths, or the book's fixed left padding.</summary>
    internal static SequenceBatcherOptions BatcherOptions(SequenceClassifierConfig c) => new()
    {
        BatchSize = c.BatchSize,
        Padding = c.LeftPad ? PaddingSide.Left : PaddingSide.Right,
        FixedLength = c.LeftPad ? c.MaxLength : 0,
    };

    /// <summary>The model, typed.</summary>
    public SequenceClassifier Classifier { get; }

    /// <summary>The class names, in class order (stored in checkpoints).</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <inheritdoc/>
    public string Kind => "classifier";

    /// <inheritdoc/>
    public IModel Model => Classifier;

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

    /// <summary>Padded steps over processed steps of an epoch's training batches.</summary>
    internal PaddingStatistics TrainPadding(int epoch)
    {
        Arrange(epoch);
        return _train.Padding();
    }

    /// <inheritdoc/>
    public void CheckData() { } // both splits are checked when the task is built

    /// <inheritdoc/>
    public void StartEpoch(int epoch) => Arrange(epoch);

    private void Arrange(int epoch)
    {
        if (_shuffledEpoch == epoch) return;
        _train.ShuffleEpoch(Classifier.Config.Seed, epoch);
        _shuffledEpoch = epoch;
    }

    /// <inheritdoc/>
    public BatchLoss TrainBatch(int epoch, int batch)
    {
        Arrange(epoch);
        _train.Fill(batch, _batch);
        int size = _batch.Size;
        (int first, int count) = _shard.Of(size);
        if (count == 0) return default;
        SequenceBatch part = _batch;
        if (count < size)
        {
            part = _part ??= _train.CreateBatch();
            part.CopyRows(_batch, first, count);
        }
        bool lengths = !Classifier.Config.LeftPad;
        using Dropout.RowScope rows = Dropout.DrawForRows(first, size);
        double loss = Classifier.TrainBatch(part.Tokens, part.Steps, part.Size, lengths ? part.Lengths : default, part.Labels, 1f / size);
        return new BatchLoss(loss, part.Size, part.TotalSteps);
    }

    void IShardedTask.UseShard(BatchShard shard) => _shard = shard;

    void IShardedTask.ExportCarriedState() { } // no state is carried between batches

    void IShardedTask.ImportCarriedState() { }

    /// <inheritdoc/>
    public Evaluation Validate(int? maxBatches)
    {
        (double loss, ClassificationReport report, long tokens) = Evaluate(Classifier, _valid, _validBatch, Labels, maxBatches);
        return new Evaluation(loss, tokens, new Dictionary<string, double> { ["accuracy"] = report.Accuracy, ["macro_f1"] = report.MacroF1 });
    }

    /// <summary>Scores a model on labelled examples: mean loss, the classification report, and the processed steps.</summary>
    public static (double Loss, ClassificationReport Report, long Tokens) Evaluate(SequenceClassifier model, EncodedExamples examples, IReadOnlyList<string> labels, int? maxBatches = null)
    {
        var batcher = new SequenceBatcher(examples, BatcherOptions(model.Config));
        return Evaluate(model, batcher, batcher.CreateBatch(), labels, maxBatches);
    }

    private static (double Loss, ClassificationReport Report, long Tokens) Evaluate(SequenceClassifier model, SequenceBatcher batcher, SequenceBatch batch,
        IReadOnlyList<string> labels, int? maxBatches)
    {
        var report = new ClassificationReport(labels);
        int classes = model.Config.Classes;
        var probabilities = new float[batch.MaxSize * classes];
        double loss = 0;
        long count = 0, tokens = 0;
        int batches = maxBatches is { } max ? Math.Min(max, batcher.BatchCount) : batcher.BatchCount;
        bool useLengths = !model.Config.LeftPad;
        for (int i = 0; i < batches; i++)
        {
            batcher.Fill(i, batch);
            loss += model.Evaluate(batch.Tokens, batch.Steps, batch.Size, useLengths ? batch.Lengths : default, batch.Labels, probabilities);
            for (int b = 0; b < batch.Size; b++) report.Add(batch.Labels[b], ArgMax(probabilities.AsSpan(b * classes, classes)));
            count += batch.Size;
            tokens += batch.TotalSteps;
        }
        return (loss / Math.Max(count, 1), report, tokens);
    }

    /// <summary>The index of the largest value (the first on ties).</summary>
    internal static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
