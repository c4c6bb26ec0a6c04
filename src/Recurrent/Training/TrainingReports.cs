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
    public double Fraction => BatchCount == 0 ? 1 : (double)Batch / BatchCount;
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

    public double TrainPerplexity => Math.Exp(TrainLoss);
    public double ValidPerplexity => Math.Exp(ValidLoss);
    public double TrainBitsPerToken => TrainLoss / Math.Log(2);
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
    public static SilentMonitor Instance { get; } = new();
    public void Info(string message) { }
    public void Batch(BatchReport report) { }
    public void Epoch(EpochReport report) { }
}
