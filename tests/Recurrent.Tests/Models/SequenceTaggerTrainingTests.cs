using Recurrent.Data.Labelling;
using Recurrent.Metrics;
using Recurrent.Models;
using Recurrent.Tensors;
using Recurrent.Tests.Support;
using Recurrent.Training;
using Recurrent.Tests.Training;
using static Recurrent.Tests.Training.TrainerTestSupport;

namespace Recurrent.Tests.Models;

/// <summary>
/// The tagger trained by the one <see cref="Trainer"/>: a labelling that needs the right context is learned by a
/// bidirectional layer and not by a forward one, and a run stopped mid-epoch and resumed ends bit-identical.
/// </summary>
public sealed class SequenceTaggerTrainingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>
    /// Sentences of 3–10 number words; each token is tagged with whether the token after it is even (the last token:
    /// "end"). Nothing at or before a token tells its tag, so a model that reads left to right can only guess.
    /// </summary>
    private static List<LabelledSentence> NextIsEven(int count, ulong seed)
    {
        var random = new RandomGenerator(seed);
        var sentences = new List<LabelledSentence>();
        for (int i = 0; i < count; i++)
        {
            int length = 3 + random.NextInt(8);
            var numbers = new int[length];
            for (int t = 0; t < length; t++) numbers[t] = random.NextInt(10);
            var tokens = numbers.Select(n => "n" + (char)('a' + n)).ToArray();
            var tags = new string[length];
            for (int t = 0; t < length; t++) tags[t] = t + 1 == length ? "end" : numbers[t + 1] % 2 == 0 ? "even" : "odd";
            sentences.Add(new LabelledSentence(tokens, tags));
        }
        return sentences;
    }

    private static SequenceTaggerConfig Config(bool bidirectional) => new()
    {
        WordEmbeddingSize = 8,
        EmbeddingInitScale = 0.5f,
        Lowercase = false,
        ZeroDigits = false,
        CharEmbeddingSize = 0,
        FeatureEmbeddingSize = 0,
        Cell = CellKind.Gru,
        HiddenSize = 12,
        Bidirectional = bidirectional,
        InitScale = 0.3f,
        Output = TaggerOutput.Softmax,
        Optimizer = OptimizerKind.Adam,
        LearningRate = 0.02f,
        BatchSize = 32,
        Epochs = 6,
        Seed = 5,
    };

    private double TrainAndTest(SequenceTaggerConfig config, TempDirectory dir)
    {
        List<LabelledSentence> train = NextIsEven(1000, 1), valid = NextIsEven(200, 2), test = NextIsEven(500, 3);
        (SequenceTagger model, TaggingVocabularies v) = SequenceTaggerTask.CreateModel(config, train, valid);
        var task = new SequenceTaggerTask(model, v, v.Encode(train), v.Encode(valid));
        var trainer = new Trainer(task, new TrainerOptions { RunDirectory = dir.Path }, SilentMonitor.Instance);
        Assert.Equal(TrainingOutcome.Completed, trainer.Run(CancellationToken.None));
        (_, TaggingReport report, _) = SequenceTaggerTask.Evaluate(model, v, v.Encode(test));
        output.WriteLine($"{(config.Bidirectional ? "bidirectional" : "forward")}: {report}");
        return report.Accuracy;
    }

    [Fact]
    public void ABidirectionalLayerLearnsATagThatDependsOnTheNextToken()
    {
        using var dir = new TempDirectory();
        double accuracy = TrainAndTest(Config(bidirectional: true), dir);
        Assert.True(accuracy >= 0.99, $"bidirectional test accuracy {accuracy:P2}");
    }

    [Fact]
    public void AForwardLayerCannotSeeTheNextTokenAndStaysNearChance()
    {
        using var dir = new TempDirectory();
        double accuracy = TrainAndTest(Config(bidirectional: false), dir);
        // Two equally likely tags on all but the last token, which a forward reader cannot tell is the last:
        // at best 1/2 of the other tokens, about 42 % of all here.
        Assert.True(accuracy is > 0.35 and < 0.5, $"forward-only test accuracy {accuracy:P2}");
    }

    [Fact]
    public void ResumedRunIsBitIdentical()
    {
        // Everything that draws from the generator or shuffles: dropout, word dropout, chars, a CRF with constraints;
        // and the neighbour-word heads, whose word classes the resumed task rebuilds from the training counts.
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
        List<LabelledSentence> train = Make(120), valid = Make(30);
        SequenceTaggerConfig config = Config(true) with
        {
            CharEmbeddingSize = 4, CharHiddenSize = 3, KeepProb = 0.7f, WordDropout = 0.5f, Output = TaggerOutput.Crf,
            TagEncoding = TagEncoding.Iobes, Epochs = 3, BatchSize = 16, LmWeight = 0.3f, LmVocab = 6, LmHiddenSize = 4,
        };
        using var dir = new TempDirectory();
        (SequenceTagger straight, TaggingVocabularies v) = SequenceTaggerTask.CreateModel(config, train, valid);
        TaggedSequences trainData = v.Encode(train), validData = v.Encode(valid);
        new Trainer(new SequenceTaggerTask(straight, v, trainData, validData), new TrainerOptions { RunDirectory = dir.File("straight") }, SilentMonitor.Instance)
            .Run(CancellationToken.None);

        // Stopped after batch 3 of epoch 2, resumed from last.ckpt alone, as a new process would.
        var monitor = new RecordingMonitor(stopAfterBatch: [(1, 3)]);
        using var cancellation = new CancellationTokenSource();
        monitor.Source = cancellation;
        (SequenceTagger first, _) = SequenceTaggerTask.CreateModel(config, train, valid);
        var stopped = new Trainer(new SequenceTaggerTask(first, v, trainData, validData), new TrainerOptions { RunDirectory = dir.File("stopped") }, monitor);
        Assert.Equal(TrainingOutcome.Stopped, stopped.Run(cancellation.Token));
        LoadedCheckpoint loaded = ModelCheckpoint.Load(stopped.PathOf(Trainer.LastCheckpointName));
        var resumedModel = (SequenceTagger)loaded.Model;
        TaggingVocabularies stored = SequenceTaggerTask.VocabulariesOf(loaded);
        Assert.Equal(v.Words.Words, stored.Words.Words);
        Assert.Equal(v.Characters.Words, stored.Characters.Words);
        Assert.Equal(v.Tags.Names, stored.Tags.Names);
        Assert.NotNull(resumedModel.Constraints);
        var resumed = new Trainer(new SequenceTaggerTask(resumedModel, stored, stored.Encode(train), stored.Encode(valid)),
            new TrainerOptions { RunDirectory = dir.File("stopped") }, SilentMonitor.Instance, loaded);
        Assert.Equal(TrainingOutcome.Completed, resumed.Run(CancellationToken.None));

        float[][] expected = straight.Parameters.Select(p => p.Value.Span.ToArray()).ToArray();
        float[][] actual = resumedModel.Parameters.Select(p => p.Value.Span.ToArray()).ToArray();
        AssertBitIdentical(expected, actual, straight.Parameters);
        Assert.NotEqual(expected[0], SequenceTaggerTask.CreateModel(config, train, valid).Model.Parameters[0].Value.Span.ToArray()); // it did train
    }
}
