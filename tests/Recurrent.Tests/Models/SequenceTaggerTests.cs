using Recurrent.Data.Labelling;
using Recurrent.Models;
using Recurrent.Optimizers;
using Recurrent.Tensors;
using Recurrent.Tests.Support;
using Xunit.Abstractions;

namespace Recurrent.Tests.Models;

/// <summary>
/// The tagger's forward and backward on ragged batches: every input kind (words, characters, features, frames),
/// softmax and CRF outputs, one or two directions. Its gradients must match central differences, and a padded
/// batch must give every sentence exactly the tags, loss and gradients it gets alone.
/// </summary>
public sealed class SequenceTaggerTests(ITestOutputHelper output)
{
    public enum Inputs { WordsCharsFeatures, Frames, WordsOnly, CharsOnly }

    private static readonly string[][] Words =
    [
        ["The", "cat", "sat", "on", "the", "mat", "."],
        ["Dogs", "bark"],
        ["A", "big", "dog", "ran", "home"],
        ["Cats"],
    ];

    private static readonly string[][] Pos = [["DT", "NN", "VB", "IN", "DT", "NN", "."], ["NN", "VB"], ["DT", "JJ", "NN", "VB", "NN"], ["NN"]];
    private static readonly string[][] Chunks = [["B-NP", "I-NP", "B-VP", "B-PP", "B-NP", "I-NP", "O"], ["B-NP", "B-VP"], ["B-NP", "I-NP", "I-NP", "B-VP", "B-NP"], ["B-NP"]];

    private static List<LabelledSentence> Sentences(Inputs inputs)
    {
        var sentences = new List<LabelledSentence>();
        var random = new RandomGenerator(3);
        for (int s = 0; s < Words.Length; s++)
        {
            if (inputs == Inputs.Frames)
            {
                int n = Words[s].Length;
                var frames = new float[n * 6];
                for (int i = 0; i < frames.Length; i++) frames[i] = random.NextInt(2);
                sentences.Add(new LabelledSentence(frames, 6, Words[s].Select(w => w[..1].ToLowerInvariant()).ToArray()));
            }
            else sentences.Add(new LabelledSentence(Words[s], Chunks[s], inputs == Inputs.WordsCharsFeatures ? [Pos[s]] : null));
        }
        return sentences;
    }

    internal static SequenceTaggerConfig Tiny(Inputs inputs, TaggerOutput output, bool bidirectional, CellKind cell = CellKind.Lstm, int layers = 1) => new()
    {
        WordEmbeddingSize = inputs is Inputs.WordsCharsFeatures or Inputs.WordsOnly ? 4 : 0,
        EmbeddingInitScale = 0.5f,
        CharEmbeddingSize = inputs is Inputs.WordsCharsFeatures or Inputs.CharsOnly ? 3 : 0,
        CharHiddenSize = 2,
        MaxWordChars = 4,
        FeatureEmbeddingSize = inputs == Inputs.WordsCharsFeatures ? 3 : 0,
        Lowercase = true,
        ZeroDigits = true,
        HiddenSize = 4,
        NumLayers = layers,
        Bidirectional = bidirectional,
        Cell = cell,
        InitScale = 0.5f,
        Output = output,
        TagEncoding = inputs == Inputs.Frames ? TagEncoding.None : output == TaggerOutput.Crf ? TagEncoding.Iobes : TagEncoding.Bio,
        BatchSize = 4,
        Seed = 7,
    };

    public static TheoryData<Inputs, TaggerOutput, bool, CellKind, int> Variants => new()
    {
        { Inputs.WordsCharsFeatures, TaggerOutput.Crf, true, CellKind.Lstm, 1 },
        { Inputs.WordsCharsFeatures, TaggerOutput.Softmax, true, CellKind.Gru, 2 },
        { Inputs.Frames, TaggerOutput.Softmax, true, CellKind.Gru, 1 },
        { Inputs.Frames, TaggerOutput.Crf, false, CellKind.Lstm, 1 },
        { Inputs.WordsOnly, TaggerOutput.Softmax, false, CellKind.Lstm, 2 },
        { Inputs.CharsOnly, TaggerOutput.Crf, true, CellKind.Lstm, 1 },
    };

    /// <summary>A model for the sentences, with every parameter moved off its initial value (a CRF starts at zero, where some gradients vanish by symmetry).</summary>
    private static (SequenceTagger Model, TaggingVocabularies Vocabularies, TaggedSequences Data) Build(SequenceTaggerConfig config, List<LabelledSentence> sentences)
    {
        (SequenceTagger model, TaggingVocabularies v) = SequenceTaggerTask.CreateModel(config, sentences, []);
        SequenceTaggerTask.ApplyConstraints(model, v);
        var random = new RandomGenerator(11);
        foreach (var p in model.Parameters)
            if (p.Name.StartsWith("crf", StringComparison.Ordinal) || p.Name.EndsWith("bias", StringComparison.Ordinal))
                random.FillUniform(p.Value.Span, -0.5f, 0.5f);
        return (model, v, v.Encode(sentences));
    }

    private static TaggingBatch Batch(TaggedSequences data, int batchSize, int index = 0)
    {
        var batcher = new TaggingBatcher(data, batchSize);
        TaggingBatch batch = batcher.CreateBatch();
        batcher.Fill(index, batch);
        return batch;
    }

    private static float[][] Gradients(SequenceTagger model) => model.Parameters.Select(p => p.Gradient.Span.ToArray()).ToArray();

    [Theory]
    [MemberData(nameof(Variants))]
    public void GradientsMatchCentralDifferences(Inputs inputs, TaggerOutput kind, bool bidirectional, CellKind cell, int layers)
    {
        (SequenceTagger model, _, TaggedSequences data) = Build(Tiny(inputs, kind, bidirectional, cell, layers), Sentences(inputs));
        TaggingBatch batch = Batch(data, 4);
        Assert.Equal(4, batch.Size);
        const float scale = 0.5f;
        ParameterGradients.Zero(model.Parameters);
        double trained = model.TrainBatch(batch, scale);
        double Loss() => scale * model.Evaluate(batch, default);
        Assert.Equal(trained * scale, Loss(), 1e-4);
        var checks = model.Parameters.Select(p => new GradientTarget(p.Name, () => p.Value.Span, p.Gradient.Span.ToArray())).ToList();
        foreach (GradientTarget t in checks) Assert.True(t.Analytic.Any(g => g != 0), $"{t.Name} has an all-zero gradient.");
        // As the classifier's check: float32 forward passes through ≤ 2 recurrent layers (and a character BiLSTM).
        double worst = GradientCheck.Check(Loss, checks, 1e-2, 3e-4, 3e-3);
        output.WriteLine($"{model.Parameters.Count} tensors, {model.Parameters.Sum(p => p.Value.Length)} weights; worst |error| / tolerance = {worst:F3}");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void RaggedBatchEqualsEachSentenceAlone(Inputs inputs, TaggerOutput kind, bool bidirectional, CellKind cell, int layers)
    {
        List<LabelledSentence> sentences = Sentences(inputs);
        (SequenceTagger model, _, TaggedSequences data) = Build(Tiny(inputs, kind, bidirectional, cell, layers), sentences);
        TaggingBatch batch = Batch(data, 4);
        int steps = batch.Steps, size = batch.Size;
        Assert.True(steps >= 7 && batch.Lengths[^1] == 1, "the batch must be ragged");

        ParameterGradients.Zero(model.Parameters);
        double batchLoss = model.TrainBatch(batch, 1f);
        float[][] batchGradients = Gradients(model);
        var predicted = new int[steps * size];
        double evaluated = model.Evaluate(batch, predicted);
        // The softmax sums exponentials in a different order with and without a gradient: equal to float precision.
        Assert.True(Math.Abs(batchLoss - evaluated) <= 1e-6 * batchLoss, $"training loss {batchLoss} vs evaluation loss {evaluated}");
        float[] batchEmissions = model.Emissions.Span.ToArray();

        double aloneLoss = 0;
        var summed = model.Parameters.Select(p => new double[p.Value.Length]).ToArray();
        for (int b = 0; b < size; b++)
        {
            int s = batch.Indices[b];
            var single = new TaggingBatcher(data, 1);
            var one = single.CreateBatch();
            // Evaluation order is longest first, ties by index: find the batch that holds sentence s.
            int at = Enumerable.Range(0, single.BatchCount).First(i => { single.Fill(i, one); return one.Indices[0] == s; });
            single.Fill(at, one);
            ParameterGradients.Zero(model.Parameters);
            aloneLoss += model.TrainBatch(one, 1f);
            float[][] g = Gradients(model);
            for (int i = 0; i < g.Length; i++)
                for (int j = 0; j < g[i].Length; j++) summed[i][j] += g[i][j];
            var alone = new int[one.Steps];
            model.Evaluate(one, alone);
            int k = model.Config.Tags;
            for (int t = 0; t < one.Steps; t++)
            {
                Assert.Equal(alone[t], predicted[t * size + b]);
                for (int j = 0; j < k; j++)
                    Assert.True(Math.Abs(model.Emissions.Span[t * k + j] - batchEmissions[(t * size + b) * k + j]) <= 1e-5,
                        $"sentence {s} step {t} tag {j}: alone {model.Emissions.Span[t * k + j]} vs in batch {batchEmissions[(t * size + b) * k + j]}");
            }
            for (int t = one.Steps; t < steps; t++) Assert.Equal(-1, predicted[t * size + b]);
        }
        Assert.True(Math.Abs(batchLoss - aloneLoss) <= 1e-5 * Math.Abs(aloneLoss), $"loss: batch {batchLoss} vs alone {aloneLoss}");
        double largest = 0;
        for (int i = 0; i < summed.Length; i++)
            for (int j = 0; j < summed[i].Length; j++)
            {
                double expected = summed[i][j], actual = batchGradients[i][j];
                largest = Math.Max(largest, Math.Abs(expected));
                Assert.True(Math.Abs(expected - actual) <= 1e-5 + 1e-4 * Math.Abs(expected),
                    $"{model.Parameters[i].Name}[{j}]: batch {actual:G7} vs sum of sentences alone {expected:G7}");
            }
        Assert.True(largest > 1e-3, "the gradients are all (nearly) zero: the comparison proves nothing");
    }

    /// <summary>A tagger with Rei's neighbour-word objective, its word classes set from the sentences' counts (4 words predicted).</summary>
    private static (SequenceTagger Model, TaggingVocabularies Vocabularies, TaggedSequences Data) BuildWithNeighbours(List<LabelledSentence> sentences)
    {
        SequenceTaggerConfig config = Tiny(Inputs.WordsCharsFeatures, TaggerOutput.Crf, true) with { LmWeight = 0.3f, LmVocab = 4, LmHiddenSize = 3 };
        (SequenceTagger model, TaggingVocabularies v, TaggedSequences data) = Build(config, sentences);
        var counts = new int[v.Words.Count];
        foreach (int id in data.Words) counts[id]++;
        model.WordClasses = SequenceTagger.NeighbourWordClasses(counts, config.LmVocab);
        return (model, v, data);
    }

    [Fact]
    public void NeighbourWordObjectiveGradientsMatchCentralDifferences()
    {
        (SequenceTagger model, _, TaggedSequences data) = BuildWithNeighbours(Sentences(Inputs.WordsCharsFeatures));
        TaggingBatch batch = Batch(data, 4);
        const float scale = 0.5f;
        ParameterGradients.Zero(model.Parameters);
        double trained = model.TrainBatch(batch, scale);
        double tagged = model.Evaluate(batch, default), neighbours = model.NeighbourWordLoss(batch);
        Assert.Equal(tagged, trained, 1e-4);
        Assert.Equal(neighbours, model.LastNeighbourWordLoss, 1e-4);
        trained += model.LastNeighbourWordLoss;
        double Loss() => scale * (model.Evaluate(batch, default) + model.NeighbourWordLoss(batch));
        Assert.True(neighbours > 0.1 * trained, $"the neighbour-word term {neighbours} is too small a part of {trained} to be checked");
        Assert.Equal(trained * scale, Loss(), 1e-4);
        var checks = model.Parameters.Select(p => new GradientTarget(p.Name, () => p.Value.Span, p.Gradient.Span.ToArray())).ToList();
        Assert.Contains(checks, t => t.Name == "neighbour_words.backward.hidden.weight");
        foreach (GradientTarget t in checks) Assert.True(t.Analytic.Any(g => g != 0), $"{t.Name} has an all-zero gradient.");
        double worst = GradientCheck.Check(Loss, checks, 1e-2, 3e-4, 3e-3);
        output.WriteLine($"{model.Parameters.Count} tensors; worst |error| / tolerance = {worst:F3}");
    }

    [Fact]
    public void NeighbourWordLossIsTheCrossEntropyOfTheNextAndPreviousWordClasses()
    {
        List<LabelledSentence> sentences = Sentences(Inputs.WordsCharsFeatures);
        (SequenceTagger model, TaggingVocabularies v, TaggedSequences data) = BuildWithNeighbours(sentences);
        int[] classes = model.WordClasses!;
        int edge = model.Config.LmVocab + 1;
        // "the" (lower-cased, 3 times) is the most frequent word, so it has class 0; a word seen once is "other".
        Assert.Equal(0, classes[v.Words.IdOf("the")]);
        Assert.Equal(model.Config.LmVocab, classes[v.Words.IdOf("mat")]);
        var single = new TaggingBatcher(v.Encode([sentences[0]]), 1);
        TaggingBatch one = single.CreateBatch();
        single.Fill(0, one);
        double loss = model.NeighbourWordLoss(one);
        int[] ids = Words[0].Select(w => v.Words.IdOf(w.ToLowerInvariant())).ToArray();
        int n = ids.Length;
        double expected = 0;
        for (int direction = 0; direction < 2; direction++)
        {
            ReadOnlySpan<float> logits = model.NeighbourWordLogits(direction).Span;
            int c = logits.Length / n;
            Assert.Equal(model.Config.LmVocab + 2, c);
            for (int t = 0; t < n; t++)
            {
                int neighbour = direction == 0 ? t + 1 : t - 1;
                int target = neighbour < 0 || neighbour >= n ? edge : classes[ids[neighbour]];
                double max = double.NegativeInfinity, sum = 0;
                for (int j = 0; j < c; j++) max = Math.Max(max, logits[t * c + j]);
                for (int j = 0; j < c; j++) sum += Math.Exp(logits[t * c + j] - max);
                expected += max + Math.Log(sum) - logits[t * c + target];
            }
        }
        Assert.Equal(model.Config.LmWeight * expected, loss, 1e-4);
    }

    [Fact]
    public void NeighbourWordHeadsSeeOnlyTheirOwnSideOfTheSentence()
    {
        // Change word 5 ("mat" → "dog"): the forward head before it and the backward head after it must not move.
        List<LabelledSentence> sentences = Sentences(Inputs.WordsCharsFeatures);
        (SequenceTagger model, TaggingVocabularies v, _) = BuildWithNeighbours(sentences);
        string[] changedWords = [.. Words[0]];
        changedWords[5] = "dog";
        var changed = new LabelledSentence(changedWords, Chunks[0], [Pos[0]]);
        float[][] Logits(LabelledSentence sentence)
        {
            var batcher = new TaggingBatcher(v.Encode([sentence]), 1);
            TaggingBatch one = batcher.CreateBatch();
            batcher.Fill(0, one);
            model.NeighbourWordLoss(one);
            return [model.NeighbourWordLogits(0).Span.ToArray(), model.NeighbourWordLogits(1).Span.ToArray()];
        }
        float[][] before = Logits(sentences[0]), after = Logits(changed);
        int c = model.Config.LmVocab + 2;
        bool Same(int direction, int t) => before[direction].AsSpan(t * c, c).SequenceEqual(after[direction].AsSpan(t * c, c));
        for (int t = 0; t < 5; t++) Assert.True(Same(0, t), $"the forward head at {t} saw word 5");
        Assert.False(Same(0, 5), "the forward head at 5 does not read word 5");
        Assert.True(Same(1, 6), "the backward head at 6 saw word 5");
        for (int t = 0; t <= 5; t++) Assert.False(Same(1, t), $"the backward head at {t} does not read word 5");
    }

    [Fact]
    public void NeighbourWordClassesRankTrainingCountsAndShareOneClassForTheRest()
    {
        int[] classes = SequenceTagger.NeighbourWordClasses([0, 0, 5, 3, 5, 1, 0], 3);
        Assert.Equal([3, 3, 0, 2, 1, 3, 3], classes);
        // Fewer seen words than classes: unseen words are still "other", not given a class of their own.
        Assert.Equal([7, 7, 0, 1], SequenceTagger.NeighbourWordClasses([0, 0, 2, 1], 7));
        var e = Assert.Throws<RecurrentException>(() => (Tiny(Inputs.WordsCharsFeatures, TaggerOutput.Crf, true, CellKind.Lstm, 2) with { LmWeight = 0.1f }).Validate());
        Assert.Contains("lm_weight", e.Message);
        e = Assert.Throws<RecurrentException>(() => (Tiny(Inputs.CharsOnly, TaggerOutput.Crf, true) with { LmWeight = 0.1f }).Validate());
        Assert.Contains("word input", e.Message);
    }

    [Fact]
    public void ConstrainedCrfDecodesOnlyValidChunkSequences()
    {
        List<LabelledSentence> sentences = Sentences(Inputs.WordsOnly);
        (SequenceTagger model, TaggingVocabularies v, TaggedSequences data) = Build(Tiny(Inputs.WordsOnly, TaggerOutput.Crf, true), sentences);
        // Emissions that favour I- tags everywhere: unconstrained, the path would start with one.
        var output = model.Parameters.Single(p => p.Name == "output.bias");
        for (int k = 0; k < v.Tags.Count; k++) output.Value.Span[k] = v.Tags.NameOf(k).StartsWith("I-", StringComparison.Ordinal) ? 5f : 0f;
        TaggingBatch batch = Batch(data, 4);
        var predicted = new int[batch.Steps * batch.Size];
        model.Evaluate(batch, predicted);
        var constraints = model.Constraints!;
        for (int b = 0; b < batch.Size; b++)
        {
            var path = Enumerable.Range(0, batch.Lengths[b]).Select(t => predicted[t * batch.Size + b]).ToArray();
            Assert.Equal(-1, constraints.FirstViolation(path));
        }
        model.Constraints = null;
        model.Evaluate(batch, predicted);
        Assert.StartsWith("I-", v.Tags.NameOf(predicted[0]));
    }

    [Fact]
    public void InferenceCopySharesWeightsAndConstraints()
    {
        (SequenceTagger model, _, TaggedSequences data) = Build(Tiny(Inputs.WordsCharsFeatures, TaggerOutput.Crf, true), Sentences(Inputs.WordsCharsFeatures));
        SequenceTagger copy = model.CreateInference();
        Assert.Same(model.Constraints, copy.Constraints);
        TaggingBatch batch = Batch(data, 4);
        var a = new int[batch.Steps * batch.Size];
        var b = new int[a.Length];
        double la = model.Evaluate(batch, a), lb = copy.Evaluate(batch, b);
        Assert.Equal(a, b);
        Assert.Equal(la, lb);
        model.Parameters[^4].Value.Span[0] += 1f; // an output weight: shared, not copied
        Assert.NotEqual(la, copy.Evaluate(batch, b));
        Assert.Same(model.Parameters[0].Value.Data, copy.Parameters[0].Value.Data);
    }

    [Fact]
    public void ConfigRoundTripsThroughJsonAndRejectsBadSettings()
    {
        SequenceTaggerConfig config = Tiny(Inputs.WordsCharsFeatures, TaggerOutput.Crf, true) with { FeatureVocabSizes = [5, 7] };
        Assert.Equal(config, SequenceTaggerConfig.FromJson(config.ToJson(), "test"));
        Assert.Contains("\"output\": \"crf\"", config.ToJson());
        Assert.Contains("\"tag_encoding\": \"iobes\"", config.ToJson());
        Assert.Equal(config with { HiddenSize = 9 }, config.Overlay("{\"hidden_size\": 9}", "cfg.json"));
        var e = Assert.Throws<RecurrentException>(() => config.Overlay("{\"hiden_size\": 3}", "cfg.json"));
        Assert.Contains("hiden_size", e.Message);
        e = Assert.Throws<RecurrentException>(() => new SequenceTagger(config with { WordEmbeddingSize = 0, CharEmbeddingSize = 0, FeatureEmbeddingSize = 0 }));
        Assert.Contains("no input", e.Message);
        e = Assert.Throws<RecurrentException>(() => new SequenceTagger(config with { Cell = CellKind.Rnn }));
        Assert.Contains("cell", e.Message);
    }
}
