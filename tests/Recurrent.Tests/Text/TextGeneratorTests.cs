using Recurrent.Tests.Support;
using System.Text;
using Recurrent.Data;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Tensors;
using Recurrent.Text;
using Recurrent.Training;

namespace Recurrent.Tests.Text;

public class TextGeneratorTests
{
    /// <summary>
    /// Non-ASCII text from a small Markov chain: each character is followed by one of two successors, so a model
    /// that learns the chain reaches 1 bit per character, well under the uniform log2(12) ≈ 3.6.
    /// </summary>
    private static string ChainText(int length, ulong seed)
    {
        string[] alphabet = ["α", "β", "γ", "δ", "é", "ñ", "漢", "字", "😀", "🦀", "𠮷", "\n"];
        var random = new RandomGenerator(seed);
        var builder = new StringBuilder();
        int current = 0;
        for (int i = 0; i < length; i++)
        {
            builder.Append(alphabet[current]);
            current = (current + 1 + 4 * random.NextInt(2)) % alphabet.Length;
        }
        return builder.ToString();
    }

    private static LanguageModelConfig TinyConfig(int vocabSize) => new()
    {
        VocabSize = vocabSize, EmbeddingSize = 8, HiddenSize = 24, NumLayers = 1, NumSteps = 10, BatchSize = 8,
        Optimizer = OptimizerKind.Adam, LearningRate = 0.02f, MaxGradNorm = 5f, ForgetBias = 1f,
        MaxEpoch = 2, MaxMaxEpoch = 2, LrDecay = 1f, KeepProb = 1f, Seed = 5,
    };

    [Fact]
    public void TinyCharModelTrainsAndSamples()
    {
        CharCorpus corpus = CharCorpus.FromText(ChainText(8000, 3), "chain");
        Assert.Equal(12, corpus.Vocabulary.Count);
        var model = new LanguageModel(TinyConfig(corpus.Vocabulary.Count));
        using var dir = new TempDirectory();
        var trainer = new Trainer(new LanguageModelTask("char", model, corpus.Vocabulary.ToJson(), corpus.Train, corpus.Valid),
            new TrainerOptions { RunDirectory = dir.Path }, SilentMonitor.Instance);
        Assert.Equal(TrainingOutcome.Completed, trainer.Run(CancellationToken.None));
        EpochReport last = trainer.Position.History[^1];
        Assert.True(last.ValidBitsPerToken < 2.0, $"valid {last.ValidBitsPerToken:F3} bits per char: the chain was not learned");

        // The saved model samples text made of the vocabulary's characters, and the sampled text follows the chain.
        LoadedCheckpoint loaded = ModelCheckpoint.Load(trainer.PathOf(Trainer.BestCheckpointName));
        Assert.Equal("char", loaded.Kind);
        CharVocabulary vocabulary = CharVocabulary.FromJson(loaded.VocabularyJson);
        var generator = new TextGenerator(loaded.LanguageModel);
        string text = generator.GenerateText(vocabulary, "α", 300, new TokenSampler(1, temperature: 0.7f));
        int[] ids = vocabulary.Encode(text);
        Assert.Equal(300, ids.Length);
        string chain = "αβγδéñ漢字😀🦀𠮷\n";
        int[] order = vocabulary.Encode(chain);
        int[] position = new int[vocabulary.Count];
        for (int i = 0; i < order.Length; i++) position[order[i]] = i;
        int legal = 0;
        int previous = position[vocabulary.Encode("α")[0]];
        foreach (int id in ids)
        {
            int step = (position[id] - previous + 12) % 12;
            if (step is 1 or 5) legal++;
            previous = position[id];
        }
        Assert.True(legal >= 270, $"only {legal} of 300 sampled transitions follow the chain");
    }

    [Fact]
    public void SameSeedSameTextAndColdTemperatureIsGreedy()
    {
        CharVocabulary vocabulary = CharVocabulary.FromText(ChainText(200, 1));
        var model = new LanguageModel(TinyConfig(vocabulary.Count) with { InitScale = 1f });
        var generator = new TextGenerator(model);
        string a = generator.GenerateText(vocabulary, "αβ", 200, new TokenSampler(8));
        string b = generator.GenerateText(vocabulary, "αβ", 200, new TokenSampler(8));
        string c = generator.GenerateText(vocabulary, "αβ", 200, new TokenSampler(9));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        string greedy = generator.GenerateText(vocabulary, "αβ", 200, new TokenSampler(1, greedy: true));
        string cold = generator.GenerateText(vocabulary, "αβ", 200, new TokenSampler(2, temperature: 1e-5f));
        Assert.Equal(greedy, cold);
    }

    [Fact]
    public void StepByStepGenerationMatchesFeedingTheWholeSequence()
    {
        CharVocabulary vocabulary = CharVocabulary.FromText(ChainText(200, 1));
        var model = new LanguageModel(TinyConfig(vocabulary.Count) with { NumLayers = 2, Cell = CellKind.Gru, InitScale = 0.5f });
        var generator = new TextGenerator(model);
        int[] prime = vocabulary.Encode("αβγ");
        var generated = new List<int>();
        generator.Generate(prime, 40, new TokenSampler(4), generated.Add);
        Assert.Equal(40, generated.Count);

        // The generator fed the prime and all generated tokens but the last: one call over that sequence gives the same state.
        int[] sequence = [.. prime, .. generated[..^1]];
        RecurrentState state = model.CreateState(1);
        var probabilities = new float[vocabulary.Count];
        model.PredictNext(sequence, state, probabilities);
        List<Tensor> expected = LanguageModel.StateTensors(state), actual = LanguageModel.StateTensors(generator.State);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            for (int j = 0; j < expected[i].Length; j++)
                Assert.Equal(expected[i][j], actual[i][j], 1e-5f);
    }

    [Fact]
    public void PrimeAndFeedDrawTheSameTokensAsGenerate()
    {
        CharVocabulary vocabulary = CharVocabulary.FromText(ChainText(200, 1));
        var model = new LanguageModel(TinyConfig(vocabulary.Count) with { NumLayers = 2, InitScale = 0.5f });
        int[] prime = vocabulary.Encode("αβγ");
        var whole = new List<int>();
        new TextGenerator(model).Generate(prime, 30, new TokenSampler(6, temperature: 0.9f), whole.Add);

        var stepper = new TextGenerator(model);
        var sampler = new TokenSampler(6, temperature: 0.9f);
        var steps = new List<int>();
        stepper.Prime(prime);
        for (int i = 0; i < 30; i++)
        {
            int token = sampler.Sample(stepper.Probabilities);
            steps.Add(token);
            stepper.Feed(token);
        }
        Assert.Equal(whole, steps);
    }

    [Fact]
    public void StreamsEachCharacterAsItIsDrawn()
    {
        CharVocabulary vocabulary = CharVocabulary.FromText(ChainText(200, 1));
        var model = new LanguageModel(TinyConfig(vocabulary.Count));
        var writer = new RecordingWriter();
        new TextGenerator(model).GenerateText(vocabulary, "α", 25, new TokenSampler(3), writer);
        Assert.Equal(25, writer.Writes.Count);
        Assert.All(writer.Writes, w => Assert.Single(w.EnumerateRunes()));
    }

    [Fact]
    public void GenerationAllocatesNothingPerToken()
    {
        CharVocabulary vocabulary = CharVocabulary.FromText(ChainText(200, 1));
        var model = new LanguageModel(TinyConfig(vocabulary.Count) with { NumLayers = 2 });
        var generator = new TextGenerator(model);
        var sampler = new TokenSampler(3, temperature: 0.8f, topK: 4);
        int[] prime = vocabulary.Encode("αβγ");
        int sum = 0;
        Action<int> onToken = id => sum += id;
        generator.Generate(prime, 5, sampler, onToken); // sizes every buffer
        long Allocated(int count)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            generator.Generate(prime, count, sampler, onToken);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        // The least of three tries each: an allocation per token shows in every try (200 tokens more in the long
        // one), while a one-off under load (2,560 bytes once in a full test run, not in the generator's code; its
        // cause is not found) shows in one try at most.
        long Least(int count) => Math.Min(Allocated(count), Math.Min(Allocated(count), Allocated(count)));
        long few = Least(5), many = Least(205);
        Assert.Equal(few, many);
        Assert.True(sum > 0);
    }

    [Fact]
    public void PrimeOutsideTheVocabularyIsAClearError()
    {
        CharVocabulary vocabulary = CharVocabulary.FromText(ChainText(200, 1));
        var generator = new TextGenerator(new LanguageModel(TinyConfig(vocabulary.Count)));
        var e = Assert.Throws<RecurrentException>(() => generator.GenerateText(vocabulary, "αQ", 10, new TokenSampler(1)));
        Assert.Contains("priming text", e.Message);
        Assert.Contains("'Q'", e.Message);
        Assert.Contains("U+0051", e.Message);
        Assert.Throws<RecurrentException>(() => generator.GenerateText(vocabulary, "", 10, new TokenSampler(1)));
        var other = CharVocabulary.FromText("ab");
        Assert.Throws<RecurrentException>(() => generator.GenerateText(other, "a", 10, new TokenSampler(1)));
    }

    private sealed class RecordingWriter : TextWriter
    {
        public List<string> Writes { get; } = [];
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(string? value) => Writes.Add(value ?? "");
        public override void Write(char value) => Writes.Add(value.ToString());
    }
}
