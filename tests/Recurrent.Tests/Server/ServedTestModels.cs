using System.Text;
using Recurrent.Data;
using Recurrent.Data.Classification;
using Recurrent.Data.Labelling;
using Recurrent.Embeddings;
using Recurrent.Models;
using Recurrent.Server;
using Recurrent.Server.Models;
using Recurrent.Tensors;
using Recurrent.Text;
using Recurrent.Tests.Support;
using Recurrent.Training;

namespace Recurrent.Tests.Server;

/// <summary>
/// Tiny models trained for a few batches with the library (a word LM, a char LM, a classifier, a CRF chunk tagger
/// and a softmax part-of-speech tagger) and word vectors made to hold an analogy, saved once for every server test:
/// the server loads them from disk as <c>recurrent serve</c> does.
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
        ChunkerCheckpoint = TrainTagger(Path.Combine(_dir.Path, "chunker-run"), ChunkerConfig, Chunks);
        PosTaggerCheckpoint = TrainTagger(Path.Combine(_dir.Path, "pos-run"), PosConfig, PartsOfSpeech);
        Vectors = MakeVectors();
        VectorsFile = Path.Combine(_dir.Path, "analogies.vec");
        WordVectorsFile.Write(VectorsFile, Vectors, binary: false);
    }

    /// <summary>A CRF tagger of chunks (IOBES, constrained; words and characters).</summary>
    public string ChunkerCheckpoint { get; }

    /// <summary>A softmax tagger of parts of speech (words only).</summary>
    public string PosTaggerCheckpoint { get; }

    /// <summary>The vectors of <see cref="VectorsFile"/> (word2vec text).</summary>
    public WordVectors Vectors { get; }

    public string VectorsFile { get; }

    /// <summary>The word model's run folder (served as a folder: its best checkpoint).</summary>
    public string WordRun { get; }

    public string CharCheckpoint { get; }

    public string ClassifierCheckpoint { get; }

    public string Folder => _dir.Path;

    /// <summary>The specs every API test serves: <c>words</c>, <c>chars</c>, <c>sentiment</c>, <c>chunker</c>, <c>pos</c> and <c>vectors</c>.</summary>
    public ModelSpec[] Specs =>
    [
        new("words", WordRun), new("chars", CharCheckpoint), new("sentiment", ClassifierCheckpoint),
        new("chunker", ChunkerCheckpoint), new("pos", PosTaggerCheckpoint), new("vectors", VectorsFile),
    ];

    /// <summary>The names of <see cref="Specs"/>, in order.</summary>
    public static readonly string[] Names = ["words", "chars", "sentiment", "chunker", "pos", "vectors"];

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

    /// <summary>The toy grammar's chunk of each word: "the cat sat on the mat" is [NP the cat] [VP sat] [PP on] [NP the mat].</summary>
    public static string[] Chunks(string[] words)
    {
        var tags = new string[words.Length];
        for (int i = 0; i < words.Length; i++)
            tags[i] = words[i] switch
            {
                "the" or "a" => "B-NP",
                "cat" or "dog" or "mat" => "I-NP",
                "sat" or "ran" => "B-VP",
                "on" => "B-PP",
                _ => "B-ADVP",
            };
        return tags;
    }

    /// <summary>The toy grammar's part of speech of each word.</summary>
    public static string[] PartsOfSpeech(string[] words) =>
        words.Select(w => w switch { "the" or "a" => "DT", "cat" or "dog" or "mat" => "NN", "sat" or "ran" => "VBD", "on" => "IN", _ => "RB" }).ToArray();

    private static readonly SequenceTaggerConfig ChunkerConfig = new()
    {
        WordEmbeddingSize = 8, EmbeddingInitScale = 0.5f, CharEmbeddingSize = 4, CharHiddenSize = 4, FeatureEmbeddingSize = 0,
        Cell = CellKind.Lstm, HiddenSize = 10, Bidirectional = true, InitScale = 0.3f, Output = TaggerOutput.Crf, TagEncoding = TagEncoding.Iobes,
        Optimizer = OptimizerKind.Adam, LearningRate = 0.05f, BatchSize = 16, Epochs = 3, Seed = 14,
    };

    private static readonly SequenceTaggerConfig PosConfig = ChunkerConfig with
    {
        CharEmbeddingSize = 0, Output = TaggerOutput.Softmax, TagEncoding = TagEncoding.None, Seed = 15,
    };

    private static string TrainTagger(string run, SequenceTaggerConfig config, Func<string[], string[]> tagsOf)
    {
        var random = new RandomGenerator(config.Seed);
        List<LabelledSentence> Make(int count)
        {
            var sentences = new List<LabelledSentence>();
            for (int i = 0; i < count; i++)
            {
                string[] words = Sentence(random).Split(' ');
                sentences.Add(new LabelledSentence(words, tagsOf(words)));
            }
            return sentences;
        }
        List<LabelledSentence> train = Make(200), valid = Make(30);
        (SequenceTagger model, TaggingVocabularies v) = SequenceTaggerTask.CreateModel(config, train, valid);
        Train(new SequenceTaggerTask(model, v, v.Encode(train), v.Encode(valid)), run);
        return Path.Combine(run, Trainer.BestCheckpointName);
    }

    /// <summary>
    /// Six-dimensional vectors where king − man + woman lies nearest queen: royalty, sex and kind are axes of their
    /// own, plus a little noise, among thirty random words.
    /// </summary>
    private static WordVectors MakeVectors()
    {
        var random = new RandomGenerator(16);
        var words = new List<string>();
        var values = new List<float>();
        void Add(string word, params float[] v)
        {
            words.Add(word);
            foreach (float x in v) values.Add(x + 0.05f * (random.NextSingle() - 0.5f));
        }
        //               royal male female person fruit vehicle
        Add("king",      1f, 1f, 0f, .3f, 0f, 0f);
        Add("queen",     1f, 0f, 1f, .3f, 0f, 0f);
        Add("man",       0f, 1f, 0f, 1f, 0f, 0f);
        Add("woman",     0f, 0f, 1f, 1f, 0f, 0f);
        Add("prince",    .8f, 1f, 0f, .5f, 0f, 0f);
        Add("princess",  .8f, 0f, 1f, .5f, 0f, 0f);
        Add("apple",     0f, 0f, 0f, 0f, 1f, .1f);
        Add("orange",    0f, 0f, 0f, 0f, 1f, 0f);
        Add("car",       0f, 0f, 0f, 0f, 0f, 1f);
        Add("truck",     0f, 0f, 0f, .1f, 0f, 1f);
        Add("König",     1f, 1f, 0f, .3f, .1f, 0f); // a word beyond ASCII
        for (int i = 0; i < 30; i++) Add($"w{i}", [.. Enumerable.Range(0, 6).Select(_ => 2f * (random.NextSingle() - 0.5f))]);
        return new WordVectors(words, [.. values], 6);
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
