using System.Runtime.InteropServices;
using Recurrent.Data;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Tensors;
using Recurrent.Training;

namespace Recurrent.Tests.Training;

/// <summary>Small generated token streams, run options and monitors shared by the trainer tests.</summary>
internal static class TrainerTestSupport
{
    public const int Vocab = 10;

    /// <summary>
    /// A learnable stream over <see cref="Vocab"/> tokens: the next token is the previous one plus one (mod V) with
    /// probability 1/2, otherwise uniform, so a model has something to fit and the loss moves between epochs.
    /// </summary>
    public static int[] Stream(int length, ulong seed)
    {
        var random = new RandomGenerator(seed);
        var tokens = new int[length];
        for (int i = 1; i < length; i++)
            tokens[i] = random.NextInt(2) == 0 ? (tokens[i - 1] + 1) % Vocab : random.NextInt(Vocab);
        return tokens;
    }

    public static string VocabularyJson()
    {
        var words = new string[Vocab];
        for (int i = 0; i < Vocab; i++) words[i] = "w" + i;
        return new Vocabulary(words).ToJson();
    }

    /// <summary>The metadata a word task stores: the test vocabulary.</summary>
    public static Dictionary<string, string> Metadata() => new() { [ModelCheckpoint.VocabularyKey] = VocabularyJson() };

    /// <summary>The trainer of a word-model task over the given streams.</summary>
    public static Trainer NewTrainer(LanguageModel model, int[] train, int[] valid, TrainerOptions options, ITrainingMonitor monitor, LoadedCheckpoint? resume = null) =>
        new(new LanguageModelTask("word", model, VocabularyJson(), train, valid), options, monitor, resume);

    /// <summary>The language model a trainer trains.</summary>
    public static LanguageModel Language(this Trainer trainer) => ((LanguageModelTask)trainer.Task).Language;

    public static TrainerOptions Options(string runDirectory, TimeSpan? checkpointInterval = null) => new()
    {
        RunDirectory = runDirectory,
        CheckpointInterval = checkpointInterval ?? TimeSpan.FromHours(1), // only the epoch-end and stop checkpoints
    };

    /// <summary>A tiny two-layer LSTM config over the test vocabulary, two epochs, the learning rate halved in the second.</summary>
    public static LanguageModelConfig TinyConfig() => new()
    {
        VocabSize = Vocab,
        HiddenSize = 8,
        EmbeddingSize = 6,
        NumLayers = 2,
        NumSteps = 5,
        BatchSize = 4,
        InitScale = 0.1f,
        LearningRate = 1f,
        MaxGradNorm = 5f,
        MaxEpoch = 1,
        MaxMaxEpoch = 2,
        LrDecay = 0.5f,
        KeepProb = 1f,
        Optimizer = OptimizerKind.Sgd,
        Seed = 3,
    };

    /// <summary>Copies of every parameter's values, in model order.</summary>
    public static float[][] Snapshot(LanguageModel model)
    {
        var values = new float[model.Parameters.Count][];
        for (int i = 0; i < values.Length; i++) values[i] = model.Parameters[i].Value.Span.ToArray();
        return values;
    }

    /// <summary>Asserts that two parameter snapshots are equal bit for bit.</summary>
    public static void AssertBitIdentical(float[][] expected, float[][] actual, IReadOnlyList<Parameter> names)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            ReadOnlySpan<int> e = MemoryMarshal.Cast<float, int>(expected[i]);
            ReadOnlySpan<int> a = MemoryMarshal.Cast<float, int>(actual[i]);
            Assert.Equal(e.Length, a.Length);
            for (int j = 0; j < e.Length; j++)
                Assert.True(e[j] == a[j], $"{names[i].Name}[{j}]: expected {expected[i][j]:R}, got {actual[i][j]:R}");
        }
    }
}

/// <summary>Records a run's progress and can cancel it at chosen points, as Ctrl-C would.</summary>
internal sealed class RecordingMonitor : ITrainingMonitor
{
    private readonly HashSet<(int Epoch, int Batch)> _stopAfterBatch;
    private readonly HashSet<int> _stopAfterEpoch;

    /// <param name="stopAfterBatch">(0-based epoch, batches done in it) after which to cancel.</param>
    /// <param name="stopAfterEpoch">1-based epoch numbers after whose end to cancel.</param>
    public RecordingMonitor(IEnumerable<(int, int)>? stopAfterBatch = null, IEnumerable<int>? stopAfterEpoch = null)
    {
        _stopAfterBatch = new(stopAfterBatch ?? []);
        _stopAfterEpoch = new(stopAfterEpoch ?? []);
    }

    /// <summary>The source cancelled at the stop points; set before each call to Run.</summary>
    public CancellationTokenSource? Source { get; set; }

    public List<string> Messages { get; } = [];
    public List<BatchReport> Batches { get; } = [];
    public List<EpochReport> Epochs { get; } = [];

    /// <summary>Called at the end of every epoch, after the epoch's checkpoints are written.</summary>
    public Action<EpochReport>? AfterEpoch { get; set; }

    public void Info(string message) => Messages.Add(message);

    public void Batch(BatchReport report)
    {
        Batches.Add(report);
        if (_stopAfterBatch.Remove((report.Epoch, report.Batch))) Source!.Cancel();
    }

    public void Epoch(EpochReport report)
    {
        Epochs.Add(report);
        AfterEpoch?.Invoke(report);
        if (_stopAfterEpoch.Remove(report.Epoch)) Source!.Cancel();
    }
}
