using Recurrent.Models;
using Recurrent.Optimizers;

namespace Recurrent.Training;

/// <summary>
/// How <see cref="Trainer"/> trains a task: optimizer, learning-rate schedule, clipping, epochs, and which validation
/// metric picks the best checkpoint (and stops early). A task derives these from its own config.
/// </summary>
public sealed record TrainingSettings
{
    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>Initial learning rate.</summary>
    public float LearningRate { get; init; } = 1f;

    /// <summary>Learning-rate factor per epoch once <see cref="DecayStartEpoch"/> epochs have run (1: constant).</summary>
    public float LrDecay { get; init; } = 1f;

    /// <summary>Epochs at the initial learning rate (ptb_word_lm.py's <c>max_epoch</c>).</summary>
    public int DecayStartEpoch { get; init; }

    /// <summary>Total epochs of the run.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Gradients are clipped to this global norm before each step (0: no clipping).</summary>
    public float MaxGradNorm { get; init; }

    /// <summary>
    /// The validation metric that decides the best checkpoint and early stopping: <c>loss</c> or a name the task
    /// reports (<c>accuracy</c>, <c>macro_f1</c>, …). Loss-like names (see <see cref="LowerIsBetter"/>) are minimised, others maximised.
    /// </summary>
    public string SelectionMetric { get; init; } = "loss";

    /// <summary>Stop after this many epochs without a better <see cref="SelectionMetric"/> (0: never stop early).</summary>
    public int Patience { get; init; }

    /// <summary>The learning rate of a 0-based epoch: <c>lr · lr_decay^max(epoch + 1 − decay_start, 0)</c>, as ptb_word_lm.py.</summary>
    public float LearningRateAt(int epoch) =>
        (float)(LearningRate * Math.Pow(LrDecay, Math.Max(epoch + 1 - DecayStartEpoch, 0)));

    /// <summary>Whether smaller values of a metric are better (loss, perplexity, bits, error rates).</summary>
    public static bool LowerIsBetter(string metric) =>
        metric is "loss" or "perplexity" or "bits" || metric.EndsWith("error", StringComparison.Ordinal);

    /// <summary>Creates the optimizer these settings name, at the initial learning rate.</summary>
    internal Optimizer CreateOptimizer() => Optimizer switch
    {
        OptimizerKind.Sgd => new Sgd(LearningRate),
        OptimizerKind.Momentum => new Momentum(LearningRate),
        OptimizerKind.Adam => new Adam(LearningRate),
        OptimizerKind.RmsProp => new RmsProp(LearningRate),
        _ => throw new RecurrentException($"Unknown optimizer '{Optimizer}'."),
    };

    /// <summary>Checks the values and names the first bad one.</summary>
    public void Validate()
    {
        if (!(LearningRate > 0)) throw new RecurrentException($"The learning rate must be positive, got {LearningRate}.");
        if (!(LrDecay > 0)) throw new RecurrentException($"The learning-rate decay must be positive, got {LrDecay}.");
        if (Epochs < 1) throw new RecurrentException($"The number of epochs must be at least 1, got {Epochs}.");
        if (!(MaxGradNorm >= 0)) throw new RecurrentException($"The gradient-norm limit must be zero or positive, got {MaxGradNorm}.");
        if (Patience < 0) throw new RecurrentException($"The early-stopping patience must be zero or positive, got {Patience}.");
    }
}
