using Recurrent.Data;
using Recurrent.Data.Classification;
using Recurrent.Data.Labelling;
using Recurrent.Embeddings;
using Recurrent.Models;
using Recurrent.Optimizers;
using Recurrent.Tensors;
using Recurrent.Tests.Support;
using Recurrent.Training;
using Recurrent.Training.Checkpoints;

namespace Recurrent.Tests.Models;

/// <summary>
/// The memory estimates of the classifier, the tagger and the word-embedding trainer against what building and
/// training really allocate, and the refusal of absurd sizes before anything is allocated (as
/// <see cref="MemoryEstimateTests"/> does for the language models).
/// </summary>
public class TaskMemoryEstimateTests
{
    /// <summary>Object headers, lists and bookkeeping are not counted: a little above the estimate is expected, a lot above means a buffer was missed, below means one was counted that is not there.</summary>
    private static void AssertClose(MemoryEstimate estimate, long measured, double over = 0.05)
    {
        long counted = estimate.TotalBytes - estimate.WorkspaceBytes;
        Assert.True(measured >= counted * 0.98 && measured <= counted * (1 + over) + 64 * 1024,
            $"estimated {counted:N0} bytes ({estimate}), measured {measured:N0}");
    }

    // ---- Classifier ----

    public static TheoryData<CellKind, int, bool, ClassifierHead, float, float, bool, bool, bool> ClassifierConfigs => new()
    {
        // cell, layers, bidirectional, head, keep, input keep, one-hot, frozen embedding, sigmoid
        { CellKind.Lstm, 1, false, ClassifierHead.Last, 1f, 1f, false, false, false },
        { CellKind.Lstm, 2, true, ClassifierHead.BiLast, 0.5f, 0.8f, false, false, true },
        { CellKind.Gru, 3, true, ClassifierHead.Max, 0.7f, 1f, false, true, false },
        { CellKind.Rnn, 2, false, ClassifierHead.Mean, 1f, 1f, true, false, false },
        { CellKind.Lstm, 1, true, ClassifierHead.Mean, 1f, 1f, true, false, true },
    };

    private static EncodedExamples Examples(int count, int length, int vocabulary, int classes, ulong seed)
    {
        var random = new RandomGenerator(seed);
        var tokens = new int[count * length];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = 2 + random.NextInt(vocabulary - 2);
        var offsets = new int[count + 1];
        for (int i = 0; i <= count; i++) offsets[i] = i * length;
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = i % classes;
        return new EncodedExamples(tokens, offsets, labels);
    }

    /// <summary>Builds the model, its optimizer and the task, and trains two batches, as the trainer does (every text of one length, so every batch is full).</summary>
    private static void BuildAndTrain(SequenceClassifierConfig config, EncodedExamples train, EncodedExamples valid)
    {
        var model = new SequenceClassifier(config);
        Optimizer optimizer = config.TrainingSettings().CreateOptimizer();
        optimizer.EnsureState(model.TrainableParameters);
        var task = new SequenceClassifierTask(model, train, valid, new[] { "a", "b", "c" }[..config.Classes], "[]");
        Trainer.Step(task, optimizer, 0, 0);
        Trainer.Step(task, optimizer, 0, 1);
    }

    [Theory]
    [MemberData(nameof(ClassifierConfigs))]
    public void TheClassifierEstimateMatchesWhatTrainingAllocates(CellKind cell, int layers, bool bidirectional, ClassifierHead head, float keep, float inputKeep,
        bool oneHot, bool frozen, bool sigmoid)
    {
        var config = new SequenceClassifierConfig
        {
            Cell = cell, NumLayers = layers, Bidirectional = bidirectional, Head = head, KeepProb = keep, InputKeepProb = inputKeep, OneHot = oneHot,
            FreezeEmbeddings = frozen, SigmoidOutput = sigmoid, Classes = sigmoid ? 2 : 3, VocabSize = 300, EmbeddingSize = 40, HiddenSize = 48, BatchSize = 10,
            Optimizer = frozen ? OptimizerKind.RmsProp : OptimizerKind.Adam, Seed = 3,
        };
        EncodedExamples train = Examples(30, 12, 300, config.Classes, 1), valid = Examples(10, 12, 300, config.Classes, 2);
        BuildAndTrain(config, train, valid); // warm-up: this thread's GEMM buffers, JIT
        long before = GC.GetAllocatedBytesForCurrentThread();
        BuildAndTrain(config, train, valid);
        long measured = GC.GetAllocatedBytesForCurrentThread() - before;

        MemoryEstimate estimate = SequenceClassifierTask.EstimateMemory(config, train, valid);
        Assert.Equal(new SequenceClassifier(config).CountParameters(), estimate.ParameterCount);
        if (frozen) Assert.Equal(estimate.GradientBytes, estimate.OptimizerBytes); // RMSProp: one slot per trainable weight
        AssertClose(estimate, measured);
    }

    // ---- Tagger ----

    private static readonly string[] Words = ["the", "a", "cat", "dog", "Zürich", "ran", "sat", "on", "mat", "日本", "quickly", "x"];

    /// <summary>Sentences of one length (every batch full), tokens of several lengths, a POS column.</summary>
    private static List<LabelledSentence> Sentences(int count, int length, ulong seed)
    {
        var random = new RandomGenerator(seed);
        var sentences = new List<LabelledSentence>();
        string[] tags = ["B-NP", "I-NP", "O", "B-VP"];
        for (int s = 0; s < count; s++)
        {
            var tokens = new string[length];
            var labels = new string[length];
            var pos = new string[length];
            for (int t = 0; t < length; t++)
            {
                tokens[t] = Words[random.NextInt(Words.Length)] + (random.NextInt(3) == 0 ? random.NextInt(100).ToString(System.Globalization.CultureInfo.InvariantCulture) : "");
                labels[t] = t == 0 ? "B-NP" : tags[random.NextInt(tags.Length)];
                pos[t] = random.NextInt(2) == 0 ? "NN" : "DT";
            }
            sentences.Add(new LabelledSentence(tokens, labels, [pos]));
        }
        return sentences;
    }

    private static List<LabelledSentence> Frames(int count, int length, ulong seed)
    {
        var random = new RandomGenerator(seed);
        var sentences = new List<LabelledSentence>();
        for (int s = 0; s < count; s++)
        {
            var frames = new float[length * 16];
            random.FillUniform(frames, 0f, 1f);
            sentences.Add(new LabelledSentence(frames, 16, Enumerable.Range(0, length).Select(t => ((char)('a' + random.NextInt(5))).ToString()).ToArray()));
        }
        return sentences;
    }

    public static TheoryData<bool, TaggerOutput, CellKind, int, bool, float, bool> TaggerConfigs => new()
    {
        // frames, output, cell, layers, bidirectional, keep, frozen words
        { false, TaggerOutput.Crf, CellKind.Lstm, 1, true, 1f, false },
        { false, TaggerOutput.Softmax, CellKind.Gru, 2, true, 0.6f, true },
        { false, TaggerOutput.Softmax, CellKind.Lstm, 2, false, 1f, false },
        { true, TaggerOutput.Crf, CellKind.Lstm, 1, true, 0.8f, false },
    };

    private static SequenceTaggerConfig TaggerConfig(bool frames, TaggerOutput output, CellKind cell, int layers, bool bidirectional, float keep, bool frozen) => new()
    {
        WordEmbeddingSize = frames ? 0 : 24, CharEmbeddingSize = frames ? 0 : 8, CharHiddenSize = 6, FeatureEmbeddingSize = frames ? 0 : 5,
        HiddenSize = 32, NumLayers = layers, Bidirectional = bidirectional, Cell = cell, KeepProb = keep, Output = output, FreezeEmbeddings = frozen,
        TagEncoding = frames ? TagEncoding.None : TagEncoding.Bio, BatchSize = 8, Seed = 5,
    };

    private static void BuildAndTrain(SequenceTaggerConfig config, TaggingVocabularies vocabularies, TaggedSequences train, TaggedSequences valid)
    {
        var model = new SequenceTagger(config);
        Optimizer optimizer = model.Config.TrainingSettings("accuracy").CreateOptimizer();
        optimizer.EnsureState(model.TrainableParameters);
        var task = new SequenceTaggerTask(model, vocabularies, train, valid);
        Trainer.Step(task, optimizer, 0, 0);
        Trainer.Step(task, optimizer, 0, 1);
    }

    [Theory]
    [MemberData(nameof(TaggerConfigs))]
    public void TheTaggerEstimateMatchesWhatTrainingAllocates(bool frames, TaggerOutput output, CellKind cell, int layers, bool bidirectional, float keep, bool frozen)
    {
        List<LabelledSentence> trainSentences = frames ? Frames(24, 9, 1) : Sentences(24, 9, 1), validSentences = frames ? Frames(8, 9, 2) : Sentences(8, 9, 2);
        (SequenceTaggerConfig config, TaggingVocabularies v) = SequenceTaggerTask.ConfigFor(TaggerConfig(frames, output, cell, layers, bidirectional, keep, frozen), trainSentences, validSentences);
        TaggedSequences train = v.Encode(trainSentences), valid = v.Encode(validSentences);
        BuildAndTrain(config, v, train, valid); // warm-up
        long before = GC.GetAllocatedBytesForCurrentThread();
        BuildAndTrain(config, v, train, valid);
        long measured = GC.GetAllocatedBytesForCurrentThread() - before;

        // The character BiLSTM's buffers follow the forms of the batches trained (the batches' own buffers have room for
        // as many forms as a batch can hold): the formula against the forms these two batches had ...
        var batcher = new TaggingBatcher(train, config.BatchSize);
        batcher.ShuffleEpoch(config.Seed, 0);
        TaggingBatch batch = batcher.CreateBatch();
        int forms = 0, charSteps = 0;
        for (int i = 0; i < 2; i++)
        {
            batcher.Fill(i, batch);
            (forms, charSteps) = (Math.Max(forms, batch.Forms), Math.Max(charSteps, batch.CharSteps));
        }
        MemoryEstimate estimate = MemoryEstimate.For(config, Math.Max(train.MaxLength, valid.MaxLength), config.BatchSize, forms, charSteps);
        Assert.Equal(new SequenceTagger(config).CountParameters(), estimate.ParameterCount);
        AssertClose(estimate, measured);
        // ... and what the command checks, with the most forms a batch can hold, each of the longest form's length: above.
        MemoryEstimate bound = SequenceTaggerTask.EstimateMemory(config, train, valid);
        Assert.True(bound.TotalBytes >= estimate.TotalBytes && bound.ParameterCount == estimate.ParameterCount, $"{bound} against {estimate}");
    }

    // ---- Word embeddings ----

    [Theory]
    [InlineData(EmbeddingLoss.NegativeSampling, false)]
    [InlineData(EmbeddingLoss.NegativeSampling, true)]
    [InlineData(EmbeddingLoss.Nce, false)]
    public void TheEmbeddingEstimateCountsTheVectorsAndTheirTables(EmbeddingLoss loss, bool cbow)
    {
        var options = new EmbeddingOptions { Dimension = 50, Loss = loss, Cbow = cbow, Negative = 5, Threads = 2, BatchSize = 100 };
        MemoryEstimate estimate = MemoryEstimate.For(options, 1000);
        // Input and output vectors (and NCE's biases), as many momentum accumulators for NCE, no gradients.
        long weights = 2L * 1000 * 50 + (loss == EmbeddingLoss.Nce ? 1000 : 0);
        Assert.Equal(weights, estimate.ParameterCount);
        Assert.Equal(4 * weights, estimate.ParameterBytes);
        Assert.Equal(loss == EmbeddingLoss.Nce ? 4 * weights : 0, estimate.OptimizerBytes);
        Assert.Equal(0, estimate.GradientBytes);
        Assert.True(estimate.ExtraBytes >= 8 * 1000, estimate.ToString());
    }

    // ---- Absurd sizes ----

    public static TheoryData<string, Func<object>, string> Absurd => new()
    {
        { "classifier hidden", () => new SequenceClassifier(new SequenceClassifierConfig { VocabSize = 100, HiddenSize = 200_000 }), "rnn.0.weight [200,256 × 800,000]" },
        { "classifier embedding", () => new SequenceClassifier(new SequenceClassifierConfig { VocabSize = 100_000, EmbeddingSize = 100_000 }), "embedding.weight [100,000 × 100,000]" },
        { "classifier layers", () => new SequenceClassifier(new SequenceClassifierConfig { VocabSize = 100, NumLayers = 1_000_000, HiddenSize = 1000 }), "This model needs" },
        { "classifier vocabulary", () => new SequenceClassifier(new SequenceClassifierConfig { VocabSize = int.MaxValue, OneHot = true }), "rnn.0.weight" },
        { "tagger hidden", () => new SequenceTagger(new SequenceTaggerConfig { VocabSize = 100, HiddenSize = 200_000 }), "rnn.0.forward.weight [200,100 × 800,000]" },
        { "tagger features", () => new SequenceTagger(new SequenceTaggerConfig { VocabSize = 100, FeatureVocabSizes = [100, 100], FeatureEmbeddingSize = int.MaxValue }), "rnn.0.forward.weight" },
        { "tagger characters", () => new SequenceTagger(new SequenceTaggerConfig { VocabSize = 100, CharVocabSize = 1000, CharEmbeddingSize = 1000, CharHiddenSize = 100_000 }), "char_rnn.forward.weight" },
    };

    /// <summary>Absurd sizes are refused by the constructors' first check: almost nothing is allocated before.</summary>
    [Theory]
    [MemberData(nameof(Absurd))]
    public void AbsurdSizesAreRefusedBeforeAllocation(string what, Func<object> build, string named)
    {
        _ = new SequenceClassifier(new SequenceClassifierConfig { VocabSize = 10, HiddenSize = 4, EmbeddingSize = 4 }); // JIT
        _ = new SequenceTagger(new SequenceTaggerConfig { VocabSize = 10, HiddenSize = 4, WordEmbeddingSize = 4 });
        Assert.Throws<RecurrentException>(build);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<RecurrentException>(build);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1 << 20, $"{what}: {allocated:N0} bytes allocated before the refusal");
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void TheRefusalsUseTheLanguageModelsWording()
    {
        var classifier = new SequenceClassifierConfig { VocabSize = 20_000, EmbeddingSize = 300, HiddenSize = 4000, Bidirectional = true, Classes = 2 };
        MemoryEstimate estimate = MemoryEstimate.For(classifier, steps: 400, batch: 100);
        var e = Assert.Throws<RecurrentException>(() => MemoryBudget.Require(estimate, 10_000_000_000, "MemAvailable in /proc/meminfo"));
        Assert.StartsWith($"This model needs {MemoryEstimate.Format(estimate.TotalBytes)} for its parameters, gradients, Adam state and activations; 10.0 GB are available (MemAvailable in /proc/meminfo).", e.Message);
        Assert.Contains("(batch 100 × 400 steps)", e.Message);
        Assert.Contains("--max-length", e.Message);
        Assert.EndsWith("or set --max-memory if the available figure is wrong.", e.Message);

        MemoryEstimate vectors = MemoryEstimate.For(new EmbeddingOptions { Dimension = 1000 }, 2_000_000);
        e = Assert.Throws<RecurrentException>(() => MemoryBudget.Require(vectors, 10_000_000_000, "MemAvailable in /proc/meminfo"));
        // 2 × 2,000,000 × 1,000 floats: 16.0 GB of vectors; negative sampling keeps no gradients and no optimizer state.
        Assert.StartsWith($"This model needs {MemoryEstimate.Format(vectors.TotalBytes)} for its parameters, activations and tables; 10.0 GB are available", e.Message);
        Assert.Contains("16.0 GB of parameters", e.Message);
        Assert.Contains("--min-count", e.Message);

        MemoryEstimate weights = MemoryEstimate.For(classifier, 1, 1).WeightsOnly;
        e = Assert.Throws<RecurrentException>(() => MemoryBudget.Require(weights, 1000, "--max-memory"));
        Assert.StartsWith("This model needs", e.Message);
        Assert.Contains("for its parameters; 1.0 kB are available (--max-memory)", e.Message);
    }

    /// <summary>The word-embedding trainer refuses vectors that do not fit before <see cref="EmbeddingTrainer.Train"/> allocates them.</summary>
    [Fact]
    public void TheEmbeddingTrainerRefusesBeforeAllocating()
    {
        using var dir = new TempDirectory();
        string text = dir.File("text.txt");
        File.WriteAllText(text, string.Join('\n', Enumerable.Range(0, 40).Select(i => $"w{i % 300} w{(i * 7) % 300} w{(i * 13) % 300}")));
        CorpusFile corpus = CorpusFile.Open(text);
        EmbeddingVocabulary vocabulary = EmbeddingVocabulary.FromText(corpus, 1, 0, false, CancellationToken.None);
        var huge = new EmbeddingOptions { Dimension = 100_000_000, MinCount = 1 };
        Assert.Throws<RecurrentException>(() => new EmbeddingTrainer(corpus, vocabulary, huge));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<RecurrentException>(() => new EmbeddingTrainer(corpus, vocabulary, huge));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains($"the input vectors [{vocabulary.Count:N0} × 100,000,000]", e.Message);
        // (Refusals against --max-memory are checked on the command, MemoryLimitTests: setting the limit here would reach the tests running beside.)
    }

    /// <summary>A classifier checkpoint whose config was edited to a huge model is refused before the model is built.</summary>
    [Fact]
    public void ACheckpointConfigEditedToAHugeModelIsRefused()
    {
        using var dir = new TempDirectory();
        var config = new SequenceClassifierConfig { VocabSize = 12, EmbeddingSize = 4, HiddenSize = 5, Classes = 2 };
        var model = new SequenceClassifier(config);
        string path = dir.File("model.ckpt");
        ModelCheckpoint.Save(path, model, "classifier", new Dictionary<string, string> { [ModelCheckpoint.VocabularyKey] = new Vocabulary(Enumerable.Range(0, 12).Select(i => $"w{i}").ToArray()).ToJson() });
        Assert.IsType<SequenceClassifier>(ModelCheckpoint.Load(path).Model);

        Checkpoint original = CheckpointFile.Read(path);
        var metadata = original.Metadata.Where(m => !CheckpointFile.IsReservedMetadataKey(m.Key)).ToDictionary(m => m.Key, m => m.Value);
        metadata[ModelCheckpoint.ConfigKey] = (config with { HiddenSize = 99_999 }).ToJson();
        CheckpointFile.Write(path, metadata, original.Tensors.ToList());
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<RecurrentException>(() => ModelCheckpoint.Load(path));
        Assert.Contains("its config describes a model of", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20);
    }
}
