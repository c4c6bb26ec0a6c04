using Recurrent.Data.Classification;
using Recurrent.Metrics;
using Recurrent.Models;
using Recurrent.Tensors;
using Recurrent.Tests.Support;
using Recurrent.Training;
using Recurrent.Tests.Training;
using static Recurrent.Tests.Training.TrainerTestSupport;

namespace Recurrent.Tests.Models;

/// <summary>
/// The classifier trained by the one <see cref="Trainer"/>: it learns a generated task that needs memory, and a
/// run stopped mid-epoch and resumed ends bit-identical to one that never stopped.
/// </summary>
public sealed class SequenceClassifierTrainingTests
{
    private const int A = 2, B = 3, Fillers = 6; // ids 0 and 1 are <pad> and <unk>

    /// <summary>
    /// Sequences of 4–12 tokens with exactly one A and one B at random places among filler tokens; the label is
    /// whether A comes before B. No single token or position gives it away: the model must remember which of the
    /// two it saw first.
    /// </summary>
    private static EncodedExamples OrderTask(int count, ulong seed)
    {
        var random = new RandomGenerator(seed);
        var sequences = new List<int[]>();
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int length = 4 + random.NextInt(9);
            var tokens = new int[length];
            for (int t = 0; t < length; t++) tokens[t] = 4 + random.NextInt(Fillers);
            int a = random.NextInt(length), b;
            do b = random.NextInt(length); while (b == a);
            tokens[a] = A;
            tokens[b] = B;
            sequences.Add(tokens);
            labels[i] = a < b ? 1 : 0;
        }
        return EncodedExamples.FromSequences(sequences, labels);
    }

    private static SequenceClassifierConfig Config() => new()
    {
        VocabSize = 4 + Fillers,
        Classes = 2,
        EmbeddingSize = 8,
        EmbeddingInitScale = 0.5f,
        HiddenSize = 16,
        Cell = CellKind.Lstm,
        Head = ClassifierHead.Last,
        InitScale = 0.2f,
        Optimizer = OptimizerKind.Adam,
        LearningRate = 0.01f,
        BatchSize = 32,
        Epochs = 12,
        Seed = 5,
    };

    private static readonly string[] Labels = ["after", "before"];

    /// <summary>The task's tokens by id: &lt;pad&gt;, &lt;unk&gt;, A, B and the fillers.</summary>
    private static readonly string VocabularyJson =
        new Recurrent.Data.Vocabulary(["<pad>", "<unk>", "A", "B", .. Enumerable.Range(0, Fillers).Select(i => $"f{i}")]).ToJson();

    [Fact]
    public void LearnsWhetherATokenComesBeforeAnother()
    {
        using var dir = new TempDirectory();
        var model = new SequenceClassifier(Config());
        var task = new SequenceClassifierTask(model, OrderTask(2000, 1), OrderTask(300, 2), Labels, VocabularyJson);
        var trainer = new Trainer(task, new TrainerOptions { RunDirectory = dir.Path }, SilentMonitor.Instance);
        Assert.Equal(TrainingOutcome.Completed, trainer.Run(CancellationToken.None));
        (_, ClassificationReport report, _) = SequenceClassifierTask.Evaluate(model, OrderTask(1000, 3), Labels);
        Assert.True(report.Accuracy >= 0.99, $"test accuracy {report.Accuracy:P2} after {trainer.Position.History.Count} epochs");
        Assert.True(trainer.Position.History[^1].Valid("accuracy") >= 0.95);
    }

    [Fact]
    public void ResumedRunIsBitIdentical()
    {
        SequenceClassifierConfig config = Config() with { Epochs = 3, KeepProb = 0.7f, InputKeepProb = 0.8f, Bidirectional = true, Head = ClassifierHead.Mean };
        EncodedExamples train = OrderTask(300, 4), valid = OrderTask(64, 5);
        using var dir = new TempDirectory();

        var straight = new SequenceClassifier(config);
        new Trainer(new SequenceClassifierTask(straight, train, valid, Labels, VocabularyJson), new TrainerOptions { RunDirectory = dir.File("straight") }, SilentMonitor.Instance)
            .Run(CancellationToken.None);

        // Stopped after batch 4 of epoch 2, resumed from last.ckpt alone, as a new process would.
        var monitor = new RecordingMonitor(stopAfterBatch: [(1, 4)]);
        using var cancellation = new CancellationTokenSource();
        monitor.Source = cancellation;
        var first = new Trainer(new SequenceClassifierTask(new SequenceClassifier(config), train, valid, Labels, VocabularyJson),
            new TrainerOptions { RunDirectory = dir.File("stopped") }, monitor);
        Assert.Equal(TrainingOutcome.Stopped, first.Run(cancellation.Token));
        LoadedCheckpoint loaded = ModelCheckpoint.Load(first.PathOf(Trainer.LastCheckpointName));
        var resumedModel = (SequenceClassifier)loaded.Model;
        var resumed = new Trainer(new SequenceClassifierTask(resumedModel, train, valid, Labels, VocabularyJson),
            new TrainerOptions { RunDirectory = dir.File("stopped") }, SilentMonitor.Instance, loaded);
        Assert.Equal(TrainingOutcome.Completed, resumed.Run(CancellationToken.None));

        float[][] expected = straight.Parameters.Select(p => p.Value.Span.ToArray()).ToArray();
        float[][] actual = resumedModel.Parameters.Select(p => p.Value.Span.ToArray()).ToArray();
        AssertBitIdentical(expected, actual, straight.Parameters);
        Assert.NotEqual(expected[0], new SequenceClassifier(config).Parameters[0].Value.Span.ToArray()); // it did train
    }
}
