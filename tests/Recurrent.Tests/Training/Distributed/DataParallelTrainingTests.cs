using Recurrent.Data.Classification;
using Recurrent.Data.Labelling;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Tensors;
using Recurrent.Tests.Support;
using Recurrent.Training;
using Recurrent.Training.Distributed;
using static Recurrent.Tests.Training.TrainerTestSupport;

namespace Recurrent.Tests.Training.Distributed;

/// <summary>
/// Data-parallel training on N ranks (threads of this process, <see cref="ThreadCommunicator"/>) against one process
/// on the same global batch: every task's losses and final weights agree to float summation order (1e-5 relative),
/// dropout and word dropout included, and every rank ends with the same weights bit for bit.
/// </summary>
public sealed class DataParallelTrainingTests
{
    private const double Tolerance = 1e-5;

    /// <summary>What a run left: its per-epoch reports (from the root) and each rank's final weights.</summary>
    private sealed record Outcome(IReadOnlyList<EpochReport> Epochs, IReadOnlyList<BatchReport> Batches, float[][][] Weights);

    /// <summary>Trains the tasks <paramref name="build"/> makes, one per rank, in <paramref name="run"/> (shared by the ranks, as a run folder on a shared file system is).</summary>
    private static Outcome Train(int ranks, string run, Func<ITrainingTask> build)
    {
        var monitors = new RecordingMonitor[ranks];
        float[][][] weights = ThreadCommunicator.Run(ranks, communicator =>
        {
            ITrainingTask task = build();
            var monitor = monitors[communicator.Rank] = new RecordingMonitor();
            var options = new TrainerOptions { RunDirectory = run, CheckpointInterval = TimeSpan.FromHours(1), Communicator = ranks == 1 ? SingleProcess.Instance : communicator };
            Assert.Equal(TrainingOutcome.Completed, new Trainer(task, options, monitor).Run(CancellationToken.None));
            return task.Model.Parameters.Select(p => p.Value.Span.ToArray()).ToArray();
        });
        for (int r = 1; r < ranks; r++) Assert.Empty(monitors[r].Epochs); // only the root reports
        return new Outcome(monitors[0].Epochs, monitors[0].Batches, weights);
    }

    /// <summary>Asserts that N ranks trained as one process did, and that the ranks hold identical weights.</summary>
    private static void AssertSameTraining(Outcome single, Outcome parallel, IReadOnlyList<Parameter> names)
    {
        Assert.Equal(single.Epochs.Count, parallel.Epochs.Count);
        for (int e = 0; e < single.Epochs.Count; e++)
        {
            AssertClose(single.Epochs[e].TrainLoss, parallel.Epochs[e].TrainLoss, $"epoch {e + 1} train loss");
            AssertClose(single.Epochs[e].ValidLoss, parallel.Epochs[e].ValidLoss, $"epoch {e + 1} valid loss");
        }
        Assert.Equal(single.Batches.Count, parallel.Batches.Count);
        for (int b = 0; b < single.Batches.Count; b++)
            AssertClose(single.Batches[b].Loss, parallel.Batches[b].Loss, $"running loss at epoch {single.Batches[b].Epoch + 1}, batch {single.Batches[b].Batch}");
        float[][] expected = single.Weights[0];
        for (int r = 0; r < parallel.Weights.Length; r++)
        {
            if (r > 0) AssertBitIdentical(parallel.Weights[0], parallel.Weights[r], names);
            for (int p = 0; p < expected.Length; p++)
            for (int i = 0; i < expected[p].Length; i++)
                Assert.True(Math.Abs(expected[p][i] - parallel.Weights[r][p][i]) <= Tolerance * Math.Max(1, Math.Abs(expected[p][i])),
                    $"rank {r}, {names[p].Name}[{i}]: one process {expected[p][i]:R}, {parallel.Weights.Length} ranks {parallel.Weights[r][p][i]:R}");
        }
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Abs(expected), $"{what}: one process {expected:R}, several ranks {actual:R}");

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)] // 4 streams over 3 ranks: shards of 2, 1 and 1 rows
    public void LanguageModelOnSeveralRanksTrainsAsOneProcess(int ranks, bool variational)
    {
        using var dir = new TempDirectory();
        LanguageModelConfig config = TinyConfig() with { KeepProb = 0.6f, VariationalDropout = variational };
        int[] train = Stream(400, 1), valid = Stream(120, 2);
        ITrainingTask Build() => new LanguageModelTask("word", new LanguageModel(config), VocabularyJson(), train, valid);
        Outcome single = Train(1, dir.File("single"), Build);
        Outcome parallel = Train(ranks, dir.File("parallel"), Build);
        AssertSameTraining(single, parallel, new LanguageModel(config).Parameters);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("single"), Trainer.ConfigName)), File.ReadAllBytes(Path.Combine(dir.File("parallel"), Trainer.ConfigName)));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(dir.File("parallel"), Trainer.MetricsName)).Length);
    }

    [Fact]
    public void LanguageModelStoppedOnTwoRanksResumesOnOneAsIfUninterrupted()
    {
        using var dir = new TempDirectory();
        LanguageModelConfig config = TinyConfig() with { KeepProb = 0.7f };
        int[] train = Stream(400, 1), valid = Stream(120, 2);
        Outcome straight = Train(1, dir.File("straight"), () => new LanguageModelTask("word", new LanguageModel(config), VocabularyJson(), train, valid));

        // Rank 0 alone is asked to stop (after batch 7 of epoch 1); both ranks stop after the next step, together, and
        // the checkpoint holds the carried state of all four streams, gathered from both ranks.
        string run = dir.File("run");
        TrainingOutcome[] outcomes = ThreadCommunicator.Run(2, communicator =>
        {
            var monitor = new RecordingMonitor(stopAfterBatch: communicator.Rank == 0 ? [(0, 7)] : []);
            using var cancellation = new CancellationTokenSource();
            monitor.Source = cancellation;
            var task = new LanguageModelTask("word", new LanguageModel(config), VocabularyJson(), train, valid);
            return new Trainer(task, new TrainerOptions { RunDirectory = run, CheckpointInterval = TimeSpan.FromHours(1), Communicator = communicator }, monitor)
                .Run(cancellation.Token);
        });
        Assert.All(outcomes, o => Assert.Equal(TrainingOutcome.Stopped, o));
        LoadedCheckpoint loaded = ModelCheckpoint.Load(Path.Combine(run, Trainer.LastCheckpointName));
        Assert.Equal(8, loaded.Position!.Batch);
        var states = loaded.File.Tensors.Where(t => t.Name.StartsWith("state/", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, states.Count); // hidden and cell of two layers
        foreach (var state in states)
        {
            Assert.Equal(config.BatchSize, state.Tensor.Dim(0));
            int width = state.Tensor.Length / config.BatchSize;
            for (int row = 0; row < config.BatchSize; row++) // rows 0-1 came from rank 0, rows 2-3 from rank 1
                Assert.True(state.Tensor.Span.Slice(row * width, width).ContainsAnyExcept(0f), $"{state.Name} row {row} is zero");
        }

        var resumedTask = new LanguageModelTask("word", loaded.LanguageModel, VocabularyJson(), train, valid);
        var monitorResumed = new RecordingMonitor();
        var resumedTrainer = new Trainer(resumedTask, new TrainerOptions { RunDirectory = run, Communicator = SingleProcess.Instance }, monitorResumed, loaded);
        Assert.Equal(TrainingOutcome.Completed, resumedTrainer.Run(CancellationToken.None));
        var resumed = new Outcome(resumedTrainer.Position.History, [], [Snapshot(resumedTask.Language)]);
        AssertSameTraining(straight with { Batches = [] }, resumed, resumedTask.Language.Parameters);
    }

    private static readonly string[] Labels = ["no", "yes"];

    /// <summary>Sequences of 3–9 tokens over 8 words; the label is whether word 2 occurs before word 3.</summary>
    private static EncodedExamples Sequences(int count, ulong seed)
    {
        var random = new RandomGenerator(seed);
        var sequences = new List<int[]>();
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            var tokens = new int[3 + random.NextInt(7)];
            for (int t = 0; t < tokens.Length; t++) tokens[t] = 2 + random.NextInt(8);
            sequences.Add(tokens);
            int a = Array.IndexOf(tokens, 2), b = Array.IndexOf(tokens, 3);
            labels[i] = a >= 0 && (b < 0 || a < b) ? 1 : 0;
        }
        return EncodedExamples.FromSequences(sequences, labels);
    }

    [Fact]
    public void ClassifierOnTwoRanksTrainsAsOneProcessWithAnEmptyShard()
    {
        using var dir = new TempDirectory();
        var config = new SequenceClassifierConfig
        {
            VocabSize = 10, Classes = 2, EmbeddingSize = 6, HiddenSize = 8, Cell = CellKind.Lstm, Head = ClassifierHead.Mean,
            KeepProb = 0.7f, InputKeepProb = 0.8f, InitScale = 0.3f, Optimizer = OptimizerKind.Sgd, LearningRate = 0.5f,
            BatchSize = 16, Epochs = 2, Seed = 7,
        };
        // 65 examples in batches of 16: one batch holds a single example, so rank 1's shard of it is empty.
        EncodedExamples train = Sequences(65, 1), valid = Sequences(20, 2);
        var batcher = new SequenceBatcher(train, SequenceClassifierTask.BatcherOptions(config));
        batcher.ShuffleEpoch(config.Seed, 0);
        var sizes = new List<int>();
        SequenceBatch probe = batcher.CreateBatch();
        for (int i = 0; i < batcher.BatchCount; i++) { batcher.Fill(i, probe); sizes.Add(probe.Size); }
        Assert.Contains(1, sizes);

        string vocabulary = new Recurrent.Data.Vocabulary(Enumerable.Range(0, 10).Select(i => "t" + i)).ToJson();
        ITrainingTask Build() => new SequenceClassifierTask(new SequenceClassifier(config), train, valid, Labels, vocabulary);
        Outcome single = Train(1, dir.File("single"), Build);
        Outcome parallel = Train(2, dir.File("parallel"), Build);
        AssertSameTraining(single, parallel, new SequenceClassifier(config).Parameters);
    }

    [Fact]
    public void TaggerWithCharactersWordDropoutAndCrfOnTwoRanksTrainsAsOneProcess()
    {
        var words = new[] { "The", "cat", "sat", "on", "a", "mat", "Dogs", "bark", "loudly", "at", "night" };
        var random = new RandomGenerator(9);
        List<LabelledSentence> Make(int count)
        {
            var list = new List<LabelledSentence>();
            for (int i = 0; i < count; i++)
            {
                int n = 2 + random.NextInt(7);
                var tokens = new string[n];
                var tags = new string[n];
                for (int t = 0; t < n; t++)
                {
                    tokens[t] = words[random.NextInt(words.Length)] + (random.NextInt(4) == 0 ? random.NextInt(100).ToString() : "");
                    tags[t] = t == 0 || random.NextInt(3) == 0 ? "B-X" : random.NextInt(2) == 0 ? "I-X" : "O";
                    if (tags[t] == "I-X" && tags[t - 1] == "O") tags[t] = "B-X";
                }
                list.Add(new LabelledSentence(tokens, tags));
            }
            return list;
        }
        List<LabelledSentence> train = Make(70), valid = Make(20);
        var config = new SequenceTaggerConfig
        {
            WordEmbeddingSize = 6, EmbeddingInitScale = 0.5f, CharEmbeddingSize = 4, CharHiddenSize = 3, FeatureEmbeddingSize = 0,
            Cell = CellKind.Gru, HiddenSize = 8, Bidirectional = true, InitScale = 0.3f, KeepProb = 0.7f, WordDropout = 0.5f,
            Output = TaggerOutput.Crf, TagEncoding = TagEncoding.Iobes, Optimizer = OptimizerKind.Adam, LearningRate = 0.02f,
            BatchSize = 16, Epochs = 2, Seed = 5,
        };
        (_, TaggingVocabularies v) = SequenceTaggerTask.CreateModel(config, train, valid);
        TaggedSequences trainData = v.Encode(train), validData = v.Encode(valid);
        ITrainingTask Build() => new SequenceTaggerTask(SequenceTaggerTask.CreateModel(config, train, valid).Model, v, trainData, validData);
        using var dir = new TempDirectory();
        Outcome single = Train(1, dir.File("single"), Build);
        Outcome parallel = Train(2, dir.File("parallel"), Build);
        AssertSameTraining(single, parallel, SequenceTaggerTask.CreateModel(config, train, valid).Model.Parameters);
    }

    [Fact]
    public void ATaskThatCannotSplitItsBatchesIsRefused()
    {
        using var dir = new TempDirectory();
        var task = new LanguageModelTask("word", new LanguageModel(TinyConfig()), VocabularyJson(), Stream(400, 1), Stream(120, 2));
        var e = Assert.Throws<RecurrentException>(() => ThreadCommunicator.Run(2, communicator =>
            new Trainer(new UnsplittableTask(task), new TrainerOptions { RunDirectory = dir.Path, Communicator = communicator }, SilentMonitor.Instance)));
        Assert.Contains("cannot train on 2 processes", e.Message);
    }

    /// <summary>A task that only implements <see cref="ITrainingTask"/>.</summary>
    private sealed class UnsplittableTask(ITrainingTask inner) : ITrainingTask
    {
        public string Kind => inner.Kind;
        public IModel Model => inner.Model;
        public TrainingSettings Settings => inner.Settings;
        public IReadOnlyDictionary<string, string> CheckpointMetadata => inner.CheckpointMetadata;
        public IReadOnlyList<Tensor> CarriedState => inner.CarriedState;
        public TaskPresentation Presentation => inner.Presentation;
        public int BatchCount => inner.BatchCount;
        public void CheckData() => inner.CheckData();
        public void StartEpoch(int epoch) => inner.StartEpoch(epoch);
        public BatchLoss TrainBatch(int epoch, int batch) => inner.TrainBatch(epoch, batch);
        public Evaluation Validate(int? maxBatches) => inner.Validate(maxBatches);
    }

    [Fact]
    public void MoreRanksThanStreamsIsRefused()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<RecurrentException>(() => ThreadCommunicator.Run(5, communicator =>
            new Trainer(new LanguageModelTask("word", new LanguageModel(TinyConfig()), VocabularyJson(), Stream(400, 1), Stream(120, 2)),
                new TrainerOptions { RunDirectory = dir.Path, Communicator = communicator }, SilentMonitor.Instance)));
        Assert.Contains("4 streams cannot be split over 5 processes", e.Message);
    }
}
