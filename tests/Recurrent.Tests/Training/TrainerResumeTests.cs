using Recurrent.Tests.Support;
using Recurrent.Models;
using Recurrent.Training;
using static Recurrent.Tests.Training.TrainerTestSupport;

namespace Recurrent.Tests.Training;

/// <summary>
/// A run stopped at any batch (or at an epoch boundary) and resumed from <c>last.ckpt</c> in a fresh model, as a
/// new process would, ends with the same parameters, bit for bit, and logs the same per-epoch losses as the
/// run that was never stopped. With Adam and dropout this needs the optimizer slots and step count, the carried
/// state and the random generator behind the dropout masks all restored exactly.
/// </summary>
public class TrainerResumeTests
{
    private static readonly int[] TrainTokens = Stream(600, seed: 21); // 150 per row: 29 batches of 5 steps × 4
    private static readonly int[] ValidTokens = Stream(200, seed: 22);

    private sealed record Result(float[][] Parameters, List<EpochReport> Logged, List<EpochReport> History, int Stops);

    private static Result Train(LanguageModelConfig config, string dir, (int, int)[] stopAfterBatch, int[] stopAfterEpoch)
    {
        var monitor = new RecordingMonitor(stopAfterBatch, stopAfterEpoch);
        Trainer trainer = NewTrainer(new LanguageModel(config), TrainTokens, ValidTokens, Options(dir), monitor);
        int stops = 0;
        while (true)
        {
            using var cancellation = new CancellationTokenSource();
            monitor.Source = cancellation;
            TrainingOutcome outcome = trainer.Run(cancellation.Token);
            if (outcome == TrainingOutcome.Completed) break;
            stops++;
            Assert.True(stops <= stopAfterBatch.Length + stopAfterEpoch.Length, "The run stopped more often than it was cancelled.");
            TrainingPosition stoppedAt = trainer.Position;
            // A new model from the file alone, as `recurrent train --resume` builds it.
            LoadedCheckpoint loaded = ModelCheckpoint.Load(trainer.PathOf(Trainer.LastCheckpointName));
            Assert.NotNull(loaded.Position);
            Assert.Equal(stoppedAt.Epoch, loaded.Position.Epoch);
            Assert.Equal(stoppedAt.Batch, loaded.Position.Batch);
            Assert.Equal(stoppedAt.Step, loaded.Position.Step);
            trainer = NewTrainer(loaded.LanguageModel, TrainTokens, ValidTokens, Options(dir), monitor, resume: loaded);
        }
        return new Result(Snapshot(trainer.Language()), MetricsLog.Read(trainer.PathOf(Trainer.MetricsName)),
            trainer.Position.History, stops);
    }

    private static void AssertSameRun(LanguageModelConfig config, (int, int)[] stopAfterBatch, int[] stopAfterEpoch)
    {
        using var dir = new TempDirectory();
        Result straight = Train(config, dir.File("straight"), [], []);
        Result resumed = Train(config, dir.File("resumed"), stopAfterBatch, stopAfterEpoch);

        Assert.Equal(0, straight.Stops);
        Assert.Equal(stopAfterBatch.Length + stopAfterEpoch.Length, resumed.Stops);
        AssertBitIdentical(straight.Parameters, resumed.Parameters, new LanguageModel(config).Parameters);
        // Training changed the weights: an optimizer that did nothing would also "resume" identically.
        float[][] initial = Snapshot(new LanguageModel(config));
        Assert.False(initial.Zip(straight.Parameters).All(p => p.First.AsSpan().SequenceEqual(p.Second)), "training left the weights unchanged");

        foreach ((List<EpochReport> expected, List<EpochReport> actual) in new[] { (straight.Logged, resumed.Logged), (straight.History, resumed.History) })
        {
            Assert.Equal(config.MaxMaxEpoch, expected.Count);
            Assert.Equal(expected.Count, actual.Count);
            for (int e = 0; e < expected.Count; e++)
            {
                // Timings differ from run to run; everything else is exact.
                Assert.Equal(expected[e].Epoch, actual[e].Epoch);
                Assert.Equal(expected[e].LearningRate, actual[e].LearningRate);
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected[e].TrainLoss), BitConverter.DoubleToInt64Bits(actual[e].TrainLoss));
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected[e].ValidLoss), BitConverter.DoubleToInt64Bits(actual[e].ValidLoss));
            }
        }
        // The schedule was exercised: the second epoch runs at lr · lr_decay.
        Assert.Equal(config.LearningRate * config.LrDecay, straight.History[1].LearningRate);
    }

    private static LanguageModelConfig AdamWithDropout() => TinyConfig() with
    {
        Optimizer = OptimizerKind.Adam,
        LearningRate = 0.01f,
        KeepProb = 0.5f,
    };

    [Fact]
    public void SgdStoppedMidEpochResumesBitIdentically() =>
        AssertSameRun(TinyConfig(), stopAfterBatch: [(0, 7)], stopAfterEpoch: []);

    [Fact]
    public void SgdStoppedTwiceIncludingSecondEpochResumesBitIdentically() =>
        AssertSameRun(TinyConfig(), stopAfterBatch: [(0, 1), (1, 20)], stopAfterEpoch: []);

    [Fact]
    public void SgdStoppedAtEpochBoundaryResumesBitIdentically() =>
        AssertSameRun(TinyConfig(), stopAfterBatch: [], stopAfterEpoch: [1]);

    [Fact]
    public void AdamWithDropoutStoppedMidEpochResumesBitIdentically() =>
        AssertSameRun(AdamWithDropout(), stopAfterBatch: [(0, 11), (1, 3)], stopAfterEpoch: []);

    /// <summary>Cancelled during the epoch's last batch: validation and the epoch end run, then the run stops before epoch 2.</summary>
    [Fact]
    public void AdamWithDropoutStoppedAfterLastBatchResumesBitIdentically() =>
        AssertSameRun(AdamWithDropout(), stopAfterBatch: [(0, 29)], stopAfterEpoch: []);

    [Fact]
    public void AdamWithDropoutStoppedAtEpochBoundaryResumesBitIdentically() =>
        AssertSameRun(AdamWithDropout(), stopAfterBatch: [], stopAfterEpoch: [1]);

    /// <summary>Dropout really depends on the restored generator: a resumed run whose generator is not restored differs.</summary>
    [Fact]
    public void ResumeWithoutTheRandomStateWouldDiffer()
    {
        using var dir = new TempDirectory();
        LanguageModelConfig config = AdamWithDropout();
        Result straight = Train(config, dir.File("straight"), [], []);

        var monitor = new RecordingMonitor([(0, 11)]);
        Trainer trainer = NewTrainer(new LanguageModel(config), TrainTokens, ValidTokens, Options(dir.File("broken")), monitor);
        using (var cancellation = new CancellationTokenSource())
        {
            monitor.Source = cancellation;
            Assert.Equal(TrainingOutcome.Stopped, trainer.Run(cancellation.Token));
        }
        LoadedCheckpoint loaded = ModelCheckpoint.Load(trainer.PathOf(Trainer.LastCheckpointName));
        loaded.Position!.RandomState = new Recurrent.Tensors.RandomGenerator(12345).GetState();
        trainer = NewTrainer(loaded.LanguageModel, TrainTokens, ValidTokens, Options(dir.File("broken")), monitor, resume: loaded);
        Assert.Equal(TrainingOutcome.Completed, trainer.Run(CancellationToken.None));
        Assert.NotEqual(straight.History[0].TrainLoss, trainer.Position.History[0].TrainLoss);
    }
}
