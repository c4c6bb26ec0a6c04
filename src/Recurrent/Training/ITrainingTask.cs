using Recurrent.Models;
using Recurrent.Tensors;

namespace Recurrent.Training;

/// <summary>
/// What a task (language modelling, classification, labelling…) gives the one <see cref="Trainer"/>: its model,
/// its batches with their forward and backward, its validation metrics, and how its numbers are shown.
/// The trainer owns everything else: epochs, the optimizer and schedule, clipping, progress, the metrics log,
/// plots, checkpoints, resume, Ctrl-C and divergence checks.
/// </summary>
public interface ITrainingTask
{
    /// <summary>The model kind stored in checkpoints and looked up in <see cref="ModelRegistry"/> (<c>word</c>, <c>char</c>, <c>classifier</c>…).</summary>
    string Kind { get; }

    /// <summary>The network being trained.</summary>
    IModel Model { get; }

    /// <summary>Optimizer, schedule, clipping, epochs and model selection, from the task's config.</summary>
    TrainingSettings Settings { get; }

    /// <summary>What checkpoints store beside the config: vocabularies, label sets… (metadata name → JSON).</summary>
    IReadOnlyDictionary<string, string> CheckpointMetadata { get; }

    /// <summary>State carried from batch to batch within an epoch (a language model's recurrent state); saved in training checkpoints so resume is exact. Empty for none.</summary>
    IReadOnlyList<Tensor> CarriedState { get; }

    /// <summary>How the trainer and the console show this task's numbers.</summary>
    TaskPresentation Presentation { get; }

    /// <summary>Batches in one epoch.</summary>
    int BatchCount { get; }

    /// <summary>Checks the training, validation and test data before the first epoch, so a problem shows at once, not after an epoch.</summary>
    void CheckData();

    /// <summary>Called before the first batch of each epoch (not when resuming within one): clear carried state.</summary>
    void StartEpoch(int epoch);

    /// <summary>
    /// Forward and backward of batch <paramref name="batch"/> of <paramref name="epoch"/>, accumulating the
    /// gradient of the batch's mean loss into the (zeroed) parameters' gradients. The batch must be a pure
    /// function of (epoch, batch, the task's seed) and the carried state, so that a resumed run sees the same one.
    /// </summary>
    BatchLoss TrainBatch(int epoch, int batch);

    /// <summary>The validation loss and metrics with dropout off; <paramref name="maxBatches"/> limits it (quick runs).</summary>
    Evaluation Validate(int? maxBatches);
}

/// <summary>What one training batch measured.</summary>
/// <param name="Loss">Summed loss in nats over the batch's <paramref name="Count"/> loss terms.</param>
/// <param name="Count">Loss terms (tokens for a language model, examples for a classifier): the epoch's loss is ΣLoss / ΣCount.</param>
/// <param name="Items">Items processed, for throughput (tokens, padding excluded where the task knows it).</param>
public readonly record struct BatchLoss(double Loss, long Count, long Items);

/// <summary>A validation (or test) pass.</summary>
/// <param name="Loss">Mean loss in nats per loss term.</param>
/// <param name="Items">Items processed, for throughput.</param>
/// <param name="Metrics">The task's metrics by name (<c>accuracy</c>, <c>macro_f1</c>…); loss-derived ones such as perplexity need not be repeated.</param>
public sealed record Evaluation(double Loss, long Items, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>A metric by name; <c>loss</c> is <see cref="Loss"/>.</summary>
    public double Get(string name) =>
        name == "loss" ? Loss
        : Metrics.TryGetValue(name, out double v) ? v
        : throw new RecurrentException($"The task reports no validation metric '{name}'; it reports loss{(Metrics.Count > 0 ? ", " + string.Join(", ", Metrics.Keys) : "")}.");
}

/// <summary>How a loss is shown: as perplexity (word models), bits (character models) or plain nats (classifiers).</summary>
public enum LossDisplay
{
    /// <summary>As <c>exp(loss)</c> (word models).</summary>
    Perplexity,
    /// <summary>As bits per item, <c>loss / ln 2</c> (character models).</summary>
    Bits,
    /// <summary>As the mean loss in nats (classifiers, taggers).</summary>
    Nats,
}

/// <summary>How the trainer, the console and the plot name and show a task's numbers.</summary>
/// <param name="ItemName">Plural unit of throughput: <c>words</c>, <c>chars</c>, <c>tokens</c>.</param>
/// <param name="Loss">How losses are shown.</param>
/// <param name="Title">Plot title.</param>
/// <param name="Metrics">Validation metrics to show each epoch and to draw on the plot's second axis.</param>
public sealed record TaskPresentation(string ItemName, LossDisplay Loss, string Title, IReadOnlyList<string> Metrics)
{
    /// <summary>A loss in nats shown the task's way.</summary>
    public double Show(double lossNats) => Loss switch
    {
        LossDisplay.Perplexity => Math.Exp(lossNats),
        LossDisplay.Bits => lossNats / Math.Log(2),
        _ => lossNats,
    };

    /// <summary>The shown quantity's name: perplexity, bits, loss.</summary>
    public string LossName => Loss switch
    {
        LossDisplay.Perplexity => "perplexity",
        LossDisplay.Bits => "bits",
        _ => "loss",
    };
}
