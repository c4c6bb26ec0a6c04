using Recurrent.Tests.Support;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Training;
using static Recurrent.Tests.Training.TrainerTestSupport;

namespace Recurrent.Tests.Training;

/// <summary>
/// A learning rate absurd enough to overflow the weights must stop training with a <see cref="RecurrentException"/>
/// that says where (epoch and batch), and must never replace the last good checkpoint with broken weights.
/// </summary>
public class TrainerDivergenceTests
{
    private static readonly int[] TrainTokens = Stream(600, seed: 31);
    private static readonly int[] ValidTokens = Stream(200, seed: 32);

    /// <summary>
    /// SGD at 1e37: one step moves weights by up to 1e37·max_grad_norm, so within a few batches the logits
    /// overflow float and the loss is ∞ or NaN. Clipping is off so the gradient itself may overflow too.
    /// </summary>
    // float.MaxValue rather than merely huge: a step then overflows the weights to ±∞ whatever the GEMM's rounding,
    // so the loss becomes NaN for certain (with 1e37 the loss can stay huge but finite).
    private static LanguageModelConfig Absurd() => TinyConfig() with { LearningRate = float.MaxValue, MaxGradNorm = 0f, MaxEpoch = 99 };

    /// <summary>Epoch 1 trains normally at lr 1; epoch 2 runs at lr · lr_decay = 1e37.</summary>
    private static LanguageModelConfig AbsurdInSecondEpoch() => TinyConfig() with { LearningRate = 1f, LrDecay = 1e37f, MaxEpoch = 1, MaxGradNorm = 0f };

    private static bool AllFinite(IReadOnlyList<Parameter> parameters)
    {
        foreach (Parameter p in parameters)
            foreach (float v in p.Value.Span)
                if (!float.IsFinite(v)) return false;
        return true;
    }

    [Fact]
    public void AbsurdLearningRateFromTheStartNamesEpochAndBatch()
    {
        using var dir = new TempDirectory();
        Trainer trainer = NewTrainer(new LanguageModel(Absurd()), TrainTokens, ValidTokens, Options(dir.Path), new RecordingMonitor());
        var e = Assert.Throws<RecurrentException>(() => trainer.Run(CancellationToken.None));
        Assert.Matches(@"diverged.*epoch 1, batch \d+", e.Message);
        // It diverged early, within the first epoch's 29 batches.
        int batch = int.Parse(System.Text.RegularExpressions.Regex.Match(e.Message, @"batch (\d+)").Groups[1].Value);
        Assert.InRange(batch, 2, 29);
        Assert.Equal(batch - 1, trainer.Position.Batch); // the failed batch was not counted
        // No checkpoint was written before the divergence, so none is claimed, and no broken one was left behind.
        string last = trainer.PathOf(Trainer.LastCheckpointName);
        Assert.False(File.Exists(last));
        Assert.DoesNotContain(last, e.Message);
    }

    /// <summary>The epoch-1 checkpoint is the last good one: it must survive unchanged, and the message points to it.</summary>
    [Fact]
    public void DivergenceInSecondEpochLeavesTheEpochCheckpointIntact()
    {
        using var dir = new TempDirectory();
        var monitor = new RecordingMonitor();
        Trainer trainer = NewTrainer(new LanguageModel(AbsurdInSecondEpoch()), TrainTokens, ValidTokens, Options(dir.Path), monitor);
        string last = trainer.PathOf(Trainer.LastCheckpointName);
        byte[]? atEpochEnd = null;
        monitor.AfterEpoch = _ => atEpochEnd ??= File.ReadAllBytes(last);
        var e = Assert.Throws<RecurrentException>(() => trainer.Run(CancellationToken.None));
        Assert.Matches(@"diverged.*epoch 2, batch \d+", e.Message);
        Assert.Contains(last, e.Message);
        Assert.NotNull(atEpochEnd);
        Assert.Equal(atEpochEnd, File.ReadAllBytes(last));
        LoadedCheckpoint loaded = ModelCheckpoint.Load(last);
        Assert.True(AllFinite(loaded.LanguageModel.Parameters));
        Assert.Equal(1, loaded.Position!.Epoch);
        Assert.Equal(0, loaded.Position.Batch);
    }

    /// <summary>
    /// With a checkpoint after every batch, a step that overflows weights to ±∞ is followed by a checkpoint before
    /// the next batch's loss could show the damage: that checkpoint must not be written. Batch size 1 makes the
    /// gradient scale 1, so some gradient exceeds 1 and lr = float.MaxValue overflows it in epoch 2's first step.
    /// </summary>
    [Fact]
    public void NonFiniteWeightsAreNeverCheckpointed()
    {
        using var dir = new TempDirectory();
        LanguageModelConfig config = TinyConfig() with { BatchSize = 1, LearningRate = 1f, LrDecay = float.MaxValue, MaxEpoch = 1, MaxGradNorm = 0f };
        TrainerOptions options = Options(dir.Path, checkpointInterval: TimeSpan.Zero) with { MaxBatchesPerEpoch = 10 };
        Trainer trainer = NewTrainer(new LanguageModel(config), TrainTokens, ValidTokens, options, new RecordingMonitor());
        var e = Assert.Throws<RecurrentException>(() => trainer.Run(CancellationToken.None));
        Assert.Matches(@"diverged.*epoch 2, batch 1\b", e.Message);
        // The scenario happened: the weights in memory are not finite.
        Assert.False(AllFinite(trainer.Language().Parameters), "the test did not overflow the weights");
        LoadedCheckpoint loaded = ModelCheckpoint.Load(trainer.PathOf(Trainer.LastCheckpointName));
        Assert.True(AllFinite(loaded.LanguageModel.Parameters), "last.ckpt holds non-finite weights");
        Assert.Equal(1, loaded.Position!.Epoch);
        Assert.Equal(0, loaded.Position.Batch);
    }

    /// <summary>
    /// One batch per epoch: epoch 2's only step (lr 1e37) leaves huge finite weights whose products overflow, so
    /// the validation loss is NaN. The epoch must not be logged or checkpointed as if it had succeeded.
    /// </summary>
    [Fact]
    public void NonFiniteValidationLossStopsBeforeTheEpochIsSaved()
    {
        using var dir = new TempDirectory();
        // Batch size 1 and 20 steps: the loss is summed over the steps, so a softmax-bias gradient exceeds 1 and the step at lr float.MaxValue
        // overflows a weight to ∞ for certain.
        LanguageModelConfig config = AbsurdInSecondEpoch() with { LrDecay = float.MaxValue, MaxMaxEpoch = 3, BatchSize = 1, NumSteps = 20 };
        var monitor = new RecordingMonitor();
        Trainer trainer = NewTrainer(new LanguageModel(config), TrainTokens, ValidTokens,
            Options(dir.Path) with { MaxBatchesPerEpoch = 1 }, monitor);
        string last = trainer.PathOf(Trainer.LastCheckpointName);
        byte[]? atEpochEnd = null;
        monitor.AfterEpoch = _ => atEpochEnd ??= File.ReadAllBytes(last);
        var e = Assert.Throws<RecurrentException>(() => trainer.Run(CancellationToken.None));
        Assert.Matches(@"diverged.*validation loss.*epoch 2", e.Message);
        Assert.Single(monitor.Epochs);
        Assert.Single(File.ReadAllLines(trainer.PathOf(Trainer.MetricsName)));
        Assert.Equal(atEpochEnd, File.ReadAllBytes(last));
    }
}
