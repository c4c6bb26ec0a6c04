using System.Text.Json;
using Recurrent.Data.Classification;
using Recurrent.Metrics;
using Recurrent.Tensors;
using Recurrent.Training;

namespace Recurrent.Models;

/// <summary>
/// Sequence classification as a <see cref="Trainer"/> task: each epoch the training examples are bucketed by
/// length and reshuffled from (seed, epoch) (<see cref="SequenceBatcher"/>), every batch starts from a zero state,
/// the loss is averaged over the batch; validation reports the loss, accuracy and macro F1.
/// </summary>
public sealed class SequenceClassifierTask : ITrainingTask
{
    private readonly SequenceBatcher _train, _valid;
    private readonly SequenceBatch _batch, _validBatch;
    private readonly Dictionary<string, string> _metadata;
    private int _shuffledEpoch = -1;

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
    public static MemoryEstimate EstimateMemory(SequenceClassifierConfig config, EncodedExamples train, EncodedExamples valid) =>
        MemoryEstimate.For(config,
            steps: config.LeftPad ? config.MaxLength : Math.Max(1, Math.Max(train.MaxLength, valid.MaxLength)),
            batch: Math.Min(config.BatchSize, Math.Max(train.Count, valid.Count)));

    /// <summary>How a config batches: right padding with real lengths, or the book's fixed left padding.</summary>
    public static SequenceBatcherOptions BatcherOptions(SequenceClassifierConfig c) => new()
    {
        BatchSize = c.BatchSize,
        Padding = c.LeftPad ? PaddingSide.Left : PaddingSide.Right,
        FixedLength = c.LeftPad ? c.MaxLength : 0,
    };

    public SequenceClassifier Classifier { get; }

    public IReadOnlyList<string> Labels { get; }

    public string Kind => "classifier";

    public IModel Model => Classifier;

    public TrainingSettings Settings { get; }

    public IReadOnlyDictionary<string, string> CheckpointMetadata => _metadata;

    public IReadOnlyList<Tensor> CarriedState => [];

    public TaskPresentation Presentation { get; }

    public int BatchCount => _train.BatchCount;

    /// <summary>Padded steps over processed steps of an epoch's training batches.</summary>
    public PaddingStatistics TrainPadding(int epoch)
    {
        Arrange(epoch);
        return _train.Padding();
    }

    public void CheckData() { } // both splits are checked when the task is built

    public void StartEpoch(int epoch) => Arrange(epoch);

    private void Arrange(int epoch)
    {
        if (_shuffledEpoch == epoch) return;
        _train.ShuffleEpoch(Classifier.Config.Seed, epoch);
        _shuffledEpoch = epoch;
    }

    public BatchLoss TrainBatch(int epoch, int batch)
    {
        Arrange(epoch);
        _train.Fill(batch, _batch);
        bool lengths = !Classifier.Config.LeftPad;
        double loss = Classifier.TrainBatch(_batch.Tokens, _batch.Steps, _batch.Size, lengths ? _batch.Lengths : default, _batch.Labels, 1f / _batch.Size);
        return new BatchLoss(loss, _batch.Size, _batch.TotalSteps);
    }

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
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
