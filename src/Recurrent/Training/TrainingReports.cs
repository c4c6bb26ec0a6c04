namespace Recurrent.Training;

/// <summary>Progress within an epoch, sent every few batches.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="EpochCount">Epochs in the whole run.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="BatchCount">Batches in this epoch.</param>
/// <param name="Loss">Running mean loss in nats per token since the start of the epoch.</param>
/// <param name="TokensPerSecond">Training throughput since the start of the epoch.</param>
/// <param name="Remaining">Estimated time to the end of the epoch.</param>
/// <param name="LearningRate">Current learning rate.</param>
public sealed record BatchReport(int Epoch, int EpochCount, int Batch, int BatchCount, double Loss, double TokensPerSecond, TimeSpan Remaining, float LearningRate)
{
    /// <summary>Share of the epoch's batches done.</summary>
    public double Fraction => BatchCount == 0 ? 1 : (double)Batch / BatchCount;
    /// <summary><c>exp(Loss)</c>.</summary>
    public double Perplexity => Math.Exp(Loss);
}

/// <summary>The outcome of one epoch: one line of the metrics log and one point on each curve of the plot.</summary>
/// <param name="Epoch">1-based epoch number, as printed.</param>
/// <param name="LearningRate">Learning rate used for the epoch.</param>
/// <param name="TrainLoss">Mean training loss in nats per token.</param>
/// <param name="ValidLoss">Mean validation loss in nats per token.</param>
/// <param name="TrainTokensPerSecond">Training throughput.</param>
/// <param name="EvalTokensPerSecond">Validation throughput.</param>
/// <param name="Seconds">Wall time of the epoch, training and validation.</param>
/// <param name="ValidMetrics">The task's validation metrics by name (accuracy, macro F1…); empty for language models.</param>
public sealed record EpochReport(int Epoch, float LearningRate, double TrainLoss, double ValidLoss, double TrainTokensPerSecond, double EvalTokensPerSecond, double Seconds,
    IReadOnlyDictionary<string, double>? ValidMetrics = null)
{
    /// <summary>A validation metric by name; <c>loss</c> is <see cref="ValidLoss"/>.</summary>
    public double Valid(string metric) =>
        metric == "loss" ? ValidLoss : ValidMetrics is not null && ValidMetrics.TryGetValue(metric, out double v) ? v : double.NaN;

    /// <summary><c>exp(TrainLoss)</c>.</summary>
    public double TrainPerplexity => Math.Exp(TrainLoss);
    /// <summary><c>exp(ValidLoss)</c>.</summary>
    public double ValidPerplexity => Math.Exp(ValidLoss);
    /// <summary><c>TrainLoss / ln 2</c>.</summary>
    public double TrainBitsPerToken => TrainLoss / Math.Log(2);
    /// <summary><c>ValidLoss / ln 2</c>.</summary>
    public double ValidBitsPerToken => ValidLoss / Math.Log(2);
}

/// <summary>Receives a training run's progress; the CLI renders it, tests record it.</summary>
public interface ITrainingMonitor
{
    /// <summary>A message worth showing (checkpoint written, run resumed…).</summary>
    void Info(string message);

    /// <summary>Progress within the current epoch.</summary>
    void Batch(BatchReport report);

    /// <summary>An epoch finished.</summary>
    void Epoch(EpochReport report);
}

/// <summary>A monitor that ignores everything.</summary>
public sealed class SilentMonitor : ITrainingMonitor
{
    /// <summary>The one instance.</summary>
    public static SilentMonitor Instance { get; } = new();
    /// <inheritdoc/>
    public void Info(string message) { }
    /// <inheritdoc/>
    public void Batch(BatchReport report) { }
    /// <inheritdoc/>
    public void Epoch(EpochReport report) { }
}
