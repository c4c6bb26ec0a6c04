using System.Text;
using Recurrent.Data;
using Recurrent.Data.Classification;
using Recurrent.Models;
using Recurrent.Server;
using Recurrent.Server.Models;
using Recurrent.Tensors;
using Recurrent.Text;
using Recurrent.Tests.Support;
using Recurrent.Training;

namespace Recurrent.Tests.Server;

/// <summary>
/// Three tiny models trained for a few batches with the library (a word LM, a char LM and a classifier), saved as
/// checkpoints once for every server test: the server loads them from disk as <c>recurrent serve</c> does.
/// </summary>
public sealed class ServedTestModels : IDisposable
{
    public static readonly string[] Words = ["<eos>", "<unk>", "the", "cat", "sat", "on", "mat", "a", "dog", "ran", "far"];
    public static readonly string[] Labels = ["neg", "pos"];
    private static readonly string[] Positive = ["good", "great", "fine"], Negative = ["bad", "awful", "poor"], Fillers = ["the", "movie", "was", "plot", "and", "it"];

    private readonly TempDirectory _dir = new();

    public ServedTestModels()
    {
        WordRun = TrainWordModel(Path.Combine(_dir.Path, "word-run"));
        CharCheckpoint = TrainCharModel(Path.Combine(_dir.Path, "char-run"));
        ClassifierCheckpoint = TrainClassifier(Path.Combine(_dir.Path, "classifier-run"));
    }

    /// <summary>The word model's run folder (served as a folder: its best checkpoint).</summary>
    public string WordRun { get; }

    public string CharCheckpoint { get; }

    public string ClassifierCheckpoint { get; }

    public string Folder => _dir.Path;

    /// <summary>The specs every API test serves: <c>words</c>, <c>chars</c> and <c>sentiment</c>.</summary>
    public ModelSpec[] Specs => [new("words", WordRun), new("chars", CharCheckpoint), new("sentiment", ClassifierCheckpoint)];

    /// <summary>A server over the three models with the given limits; dispose it after the test.</summary>
    public ServerFactory CreateServer(ServerOptions? options = null) => new(Specs, options ?? new ServerOptions());

    /// <summary>Sentences of a toy grammar: "the cat sat on the mat", "a dog ran far", …</summary>
    public static string Sentence(RandomGenerator random)
    {
        string[] subjects = ["the cat", "a dog", "the dog", "a cat"];
        string[] verbs = ["sat on the mat", "ran far", "sat", "ran on the mat"];
        return $"{subjects[random.NextInt(subjects.Length)]} {verbs[random.NextInt(verbs.Length)]}";
    }

    private static string TrainWordModel(string run)
    {
        var vocabulary = new Vocabulary(Words);
        var random = new RandomGenerator(11);
        var ids = new List<int>();
        for (int s = 0; s < 600; s++)
        {
            foreach (string word in Sentence(random).Split(' ')) ids.Add(vocabulary.IdOf(word));
            ids.Add(vocabulary.IdOf("<eos>"));
        }
        int[] stream = [.. ids];
        var config = new LanguageModelConfig
        {
            VocabSize = Words.Length, HiddenSize = 16, EmbeddingSize = 8, NumLayers = 1, NumSteps = 6, BatchSize = 8,
            Optimizer = OptimizerKind.Adam, LearningRate = 0.03f, MaxGradNorm = 5f, InitScale = 0.1f,
            MaxEpoch = 2, MaxMaxEpoch = 2, LrDecay = 1f, KeepProb = 1f, Seed = 7,
        };
        Train(new LanguageModelTask("word", new LanguageModel(config), vocabulary.ToJson(), stream[..3000], stream[3000..]), run);
        return run;
    }

    private static string TrainCharModel(string run)
    {
        var text = new StringBuilder();
        var random = new RandomGenerator(12);
        for (int s = 0; s < 300; s++) text.Append(Sentence(random)).Append('\n');
        CharCorpus corpus = CharCorpus.FromText(text.ToString(), "sentences");
        var config = new LanguageModelConfig
        {
            VocabSize = corpus.Vocabulary.Count, HiddenSize = 16, EmbeddingSize = 8, NumLayers = 1, NumSteps = 10, BatchSize = 8,
            Optimizer = OptimizerKind.Adam, LearningRate = 0.02f, MaxGradNorm = 5f, InitScale = 0.1f,
            MaxEpoch = 1, MaxMaxEpoch = 1, LrDecay = 1f, KeepProb = 1f, Seed = 8,
        };
        Train(new LanguageModelTask("char", new LanguageModel(config), corpus.Vocabulary.ToJson(), corpus.Train, corpus.Valid), run);
        return Path.Combine(run, Trainer.BestCheckpointName);
    }

    /// <summary>A text that holds one sentiment word among fillers; its label is that word's side.</summary>
    public static LabeledText Review(RandomGenerator random)
    {
        bool positive = random.NextInt(2) == 1;
        string[] side = positive ? Positive : Negative;
        var words = new List<string>();
        int length = 3 + random.NextInt(5);
        for (int i = 0; i < length; i++) words.Add(Fillers[random.NextInt(Fillers.Length)]);
        words.Insert(random.NextInt(words.Count + 1), side[random.NextInt(side.Length)]);
        return new LabeledText(string.Join(' ', words), positive ? "pos" : "neg", "generated");
    }

    private static string TrainClassifier(string run)
    {
        var random = new RandomGenerator(13);
        var train = new List<LabeledText>();
        for (int i = 0; i < 400; i++) train.Add(Review(random));
        var valid = new List<LabeledText>();
        for (int i = 0; i < 60; i++) valid.Add(Review(random));
        int[] Labels(List<LabeledText> texts) => texts.Select(t => t.Label == "pos" ? 1 : 0).ToArray();
        Vocabulary vocabulary = ClassificationVocabulary.Build(train, Enumerable.Range(0, train.Count).ToArray(), EnglishTokenizer.Tokenize);
        var config = new SequenceClassifierConfig
        {
            VocabSize = vocabulary.Count, Classes = 2, EmbeddingSize = 8, HiddenSize = 12, Head = ClassifierHead.Mean,
            Optimizer = OptimizerKind.Adam, LearningRate = 0.03f, BatchSize = 32, Epochs = 4, Seed = 9,
        };
        var encoder = new TextEncoder(vocabulary);
        var task = new SequenceClassifierTask(new SequenceClassifier(config), encoder.Encode(train, Labels(train)), encoder.Encode(valid, Labels(valid)),
            ServedTestModels.Labels, vocabulary.ToJson());
        Train(task, run);
        return Path.Combine(run, Trainer.BestCheckpointName);
    }

    private static void Train(ITrainingTask task, string run)
    {
        var trainer = new Trainer(task, new TrainerOptions { RunDirectory = run }, SilentMonitor.Instance);
        if (trainer.Run(CancellationToken.None) != TrainingOutcome.Completed) throw new InvalidOperationException("Training did not complete.");
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>Shares one set of trained models among the server test classes.</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServedTestModels>
{
    public const string Name = "Server";
}
