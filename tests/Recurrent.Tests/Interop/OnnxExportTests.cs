using Recurrent.Data.Labelling;
using Recurrent.Interop;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Tensors;
using Xunit.Abstractions;

namespace Recurrent.Tests.Interop;

/// <summary>
/// Every exported graph runs in ONNX Runtime and gives what our model gives, on random small models and random
/// inputs: the language models in both modes (state in and out, every cell, embedding and one-hot input), the
/// classifier with ragged lengths, both directions, every head and both outputs, and the tagger's emissions for
/// each input kind. Largest absolute difference allowed: 1e-4 (log-probabilities, probabilities, states, scores).
/// </summary>
public sealed class OnnxExportTests(ITestOutputHelper output)
{
    private const float Scale = 0.6f; // weights in [−0.6, 0.6]: gates and logits well away from saturation and from zero

    public static TheoryData<CellKind, bool, int, int> LanguageModels => new()
    {
        { CellKind.Lstm, false, 2, 0 },
        { CellKind.Lstm, false, 1, 3 },
        { CellKind.Gru, false, 2, 0 },
        { CellKind.Rnn, false, 2, 0 },
        { CellKind.Lstm, true, 2, 0 },
        { CellKind.Gru, true, 1, 0 },
    };

    private static LanguageModel RandomLanguageModel(CellKind cell, bool oneHot, int layers, int embedding) => new(new LanguageModelConfig
    {
        VocabSize = 9,
        HiddenSize = 5,
        EmbeddingSize = embedding,
        NumLayers = layers,
        Cell = cell,
        OneHot = oneHot,
        ForgetBias = 0.7f, // folded into ONNX's bias: a wrong fold shows
        InitScale = Scale,
        Seed = 17 + (ulong)cell,
    });

    [Theory]
    [MemberData(nameof(LanguageModels))]
    public void Language_model_sequence_graph_matches_ours(CellKind cell, bool oneHot, int layers, int embedding)
    {
        LanguageModel model = RandomLanguageModel(cell, oneHot, layers, embedding);
        const int T = 6, B = 3;
        int V = model.Config.VocabSize, H = model.Config.HiddenSize;
        var random = new RandomGenerator(5);
        long[] tokens = RandomTokens(random, T * B, V);
        float[] h0 = Uniform(random, layers * B * H), c0 = Uniform(random, layers * B * H);
        bool lstm = cell == CellKind.Lstm;

        using var onnx = new OnnxRun(OnnxExport.ToBytes(model, OnnxExportMode.Sequence));
        var inputs = new List<(string, Array, int[])> { ("tokens", tokens, [T, B]), ("state_h", h0, [layers, B, H]) };
        if (lstm) inputs.Add(("state_c", c0, [layers, B, H]));
        var result = onnx.Run([.. inputs]);
        Assert.Equal([T, B, V], result["logits"].Shape);

        var diff = new MaxDifference(output);
        var probabilities = new float[V];
        for (int b = 0; b < B; b++)
        {
            RecurrentState state = RowState(model, h0, c0, b, B);
            for (int t = 0; t < T; t++)
            {
                model.PredictNext([(int)tokens[t * B + b]], state, probabilities);
                diff.Compare(Log(probabilities), LogSoftmax(result["logits"].Values.AsSpan((t * B + b) * V, V)), $"log-probabilities[{t}, {b}]");
            }
            CompareState(diff, state, result["state_h_out"].Values, lstm ? result["state_c_out"].Values : null, b, B, H);
        }
        diff.Report($"LM sequence {cell} one-hot={oneHot} layers={layers}");
    }

    [Theory]
    [MemberData(nameof(LanguageModels))]
    public void Language_model_step_graph_carries_the_state(CellKind cell, bool oneHot, int layers, int embedding)
    {
        LanguageModel model = RandomLanguageModel(cell, oneHot, layers, embedding);
        const int B = 4, Steps = 3;
        int V = model.Config.VocabSize, H = model.Config.HiddenSize;
        var random = new RandomGenerator(8);
        float[] h = Uniform(random, layers * B * H), c = Uniform(random, layers * B * H);
        bool lstm = cell == CellKind.Lstm;
        RecurrentState[] ours = new RecurrentState[B];
        for (int b = 0; b < B; b++) ours[b] = RowState(model, h, c, b, B);

        using var onnx = new OnnxRun(OnnxExport.ToBytes(model, OnnxExportMode.Step));
        var diff = new MaxDifference(output);
        var probabilities = new float[V];
        for (int s = 0; s < Steps; s++)
        {
            long[] tokens = RandomTokens(random, B, V);
            var inputs = new List<(string, Array, int[])> { ("tokens", tokens, [B]), ("state_h", h, [layers, B, H]) };
            if (lstm) inputs.Add(("state_c", c, [layers, B, H]));
            var result = onnx.Run([.. inputs]);
            Assert.Equal([B, V], result["logits"].Shape);
            for (int b = 0; b < B; b++)
            {
                model.PredictNext([(int)tokens[b]], ours[b], probabilities);
                diff.Compare(Log(probabilities), LogSoftmax(result["logits"].Values.AsSpan(b * V, V)), $"step {s} log-probabilities[{b}]");
                CompareState(diff, ours[b], result["state_h_out"].Values, lstm ? result["state_c_out"].Values : null, b, B, H);
            }
            // The graph's own state goes back in, as a caller streaming tokens does.
            h = result["state_h_out"].Values;
            if (lstm) c = result["state_c_out"].Values;
        }
        diff.Report($"LM step {cell} one-hot={oneHot} layers={layers}");
    }

    public static TheoryData<CellKind, bool, int, ClassifierHead, bool, bool> Classifiers => new()
    {
        { CellKind.Lstm, true, 2, ClassifierHead.Mean, false, false },
        { CellKind.Lstm, true, 1, ClassifierHead.Last, false, false },
        { CellKind.Gru, true, 2, ClassifierHead.BiLast, false, false },
        { CellKind.Gru, false, 1, ClassifierHead.Last, true, false },
        { CellKind.Lstm, false, 2, ClassifierHead.Max, true, false },
        { CellKind.Lstm, true, 1, ClassifierHead.Max, false, false },
        { CellKind.Rnn, true, 1, ClassifierHead.Mean, false, true },
        { CellKind.Gru, false, 1, ClassifierHead.Mean, false, true },
    };

    [Theory]
    [MemberData(nameof(Classifiers))]
    public void Classifier_graph_matches_ours_on_ragged_batches(CellKind cell, bool bidirectional, int layers, ClassifierHead head, bool sigmoid, bool oneHot)
    {
        var model = new SequenceClassifier(new SequenceClassifierConfig
        {
            VocabSize = 11,
            Classes = sigmoid ? 2 : 3,
            SigmoidOutput = sigmoid,
            EmbeddingSize = 4,
            EmbeddingInitScale = 1f,
            OneHot = oneHot,
            Cell = cell,
            HiddenSize = 5,
            NumLayers = layers,
            Bidirectional = bidirectional,
            Head = head,
            InitScale = Scale,
            ForgetBias = 0.8f,
            Seed = 23,
        });
        RandomizeBiases(model, 29);
        int[] lengths = [6, 2, 4, 1, 6];
        int T = 6, B = lengths.Length, C = model.Config.Classes;
        long[] tokens = RandomTokens(new RandomGenerator(31), T * B, model.Config.VocabSize);

        var ours = new float[B * C];
        model.Evaluate(Array.ConvertAll(tokens, t => (int)t), T, B, lengths, default, ours);
        using var onnx = new OnnxRun(OnnxExport.ToBytes(model));
        var result = onnx.Run(("tokens", tokens, [T, B]), ("lengths", lengths, [B]));
        Assert.Equal([B, C], result["probabilities"].Shape);
        Assert.Equal([B, model.Config.Outputs], result["logits"].Shape);

        var diff = new MaxDifference(output);
        float[] theirs = result["probabilities"].Values;
        diff.Compare(ours, theirs, "probabilities");
        diff.Compare(Log(ours), Log(theirs), "log-probabilities");
        diff.Report($"classifier {cell} bidirectional={bidirectional} layers={layers} head={head} sigmoid={sigmoid} one-hot={oneHot}");
    }

    [Fact]
    public void Classifier_graph_ignores_padding_tokens()
    {
        var model = new SequenceClassifier(new SequenceClassifierConfig
        {
            VocabSize = 11, Classes = 3, EmbeddingSize = 4, HiddenSize = 5, Bidirectional = true, Head = ClassifierHead.Max, InitScale = Scale, Seed = 3,
        });
        using var onnx = new OnnxRun(OnnxExport.ToBytes(model));
        long[] a = [1, 2, 3, 4, 5, 6, 7, 8], b = [1, 2, 3, 4, 9, 10, 9, 10]; // [4, 2]; row 1 has length 2, its padding differs
        float[] pa = onnx.Run(("tokens", a, [4, 2]), ("lengths", new[] { 4, 2 }, [2]))["probabilities"].Values;
        float[] pb = onnx.Run(("tokens", b, [4, 2]), ("lengths", new[] { 4, 2 }, [2]))["probabilities"].Values;
        Assert.Equal(pa[3..], pb[3..]);
        Assert.NotEqual(pa[..3], pb[..3]);
    }

    public enum TaggerInputs { Words, WordsFeatures, WordsCharacters, Frames }

    public static TheoryData<TaggerInputs, CellKind, bool, int> Taggers => new()
    {
        { TaggerInputs.Words, CellKind.Lstm, true, 1 },
        { TaggerInputs.WordsFeatures, CellKind.Gru, true, 2 },
        { TaggerInputs.WordsCharacters, CellKind.Lstm, true, 1 },
        { TaggerInputs.Frames, CellKind.Lstm, false, 2 },
    };

    [Theory]
    [MemberData(nameof(Taggers))]
    public void Tagger_emission_graph_matches_ours(TaggerInputs inputs, CellKind cell, bool bidirectional, int layers)
    {
        string[][] words = [["The", "cat", "sat", "on", "the", "mat", "."], ["Dogs", "bark"], ["A", "big", "dog", "ran", "home"], ["Cats"]];
        string[][] tags = [["DT", "NN", "VB", "IN", "DT", "NN", "."], ["NN", "VB"], ["DT", "JJ", "NN", "VB", "NN"], ["NN"]];
        var random = new RandomGenerator(41);
        var sentences = new List<LabelledSentence>();
        for (int s = 0; s < words.Length; s++)
        {
            if (inputs == TaggerInputs.Frames)
            {
                var frames = new float[words[s].Length * 6];
                random.FillUniform(frames, 0f, 1f);
                sentences.Add(new LabelledSentence(frames, 6, tags[s]));
            }
            else sentences.Add(new LabelledSentence(words[s], tags[s], inputs == TaggerInputs.WordsFeatures ? [words[s].Select(w => w.Length > 3 ? "long" : "short").ToArray()] : null));
        }
        var config = new SequenceTaggerConfig
        {
            WordEmbeddingSize = inputs == TaggerInputs.Frames ? 0 : 4,
            EmbeddingInitScale = 0.8f,
            CharEmbeddingSize = inputs == TaggerInputs.WordsCharacters ? 3 : 0,
            CharHiddenSize = 2,
            MaxWordChars = 4,
            FeatureEmbeddingSize = inputs == TaggerInputs.WordsFeatures ? 3 : 0,
            HiddenSize = 4,
            NumLayers = layers,
            Bidirectional = bidirectional,
            Cell = cell,
            InitScale = Scale,
            ForgetBias = 0.5f,
            Output = TaggerOutput.Crf,
            Seed = 43,
        };
        (SequenceTagger model, TaggingVocabularies vocabularies) = SequenceTaggerTask.CreateModel(config, sentences, []);
        RandomizeBiases(model, 47);
        var batcher = new TaggingBatcher(vocabularies.Encode(sentences), sentences.Count);
        TaggingBatch batch = batcher.CreateBatch();
        batcher.Fill(0, batch);
        model.Evaluate(batch, default);
        float[] ours = model.Emissions.Span.ToArray();

        int T = batch.Steps, B = batch.Size;
        var feeds = new List<(string, Array, int[])> { ("lengths", batch.Lengths.ToArray(), [B]) };
        if (config.WordEmbeddingSize > 0) feeds.Add(("words", Longs(batch.Words), [T, B]));
        if (config.CharEmbeddingSize > 0)
        {
            feeds.Add(("char_ids", Longs(batch.CharIds), [batch.CharSteps, batch.Forms]));
            feeds.Add(("char_lengths", batch.CharLengths.ToArray(), [batch.Forms]));
            feeds.Add(("token_forms", Longs(batch.TokenForms), [T, B]));
        }
        if (config.FeatureEmbeddingSize > 0) feeds.Add(("feature_0", Longs(batch.Features(0)), [T, B]));
        if (inputs == TaggerInputs.Frames) feeds.Add(("frames", batch.Frames.ToArray(), [T, B, 6]));
        using var onnx = new OnnxRun(OnnxExport.ToBytes(model));
        var result = onnx.Run([.. feeds]);
        Assert.Equal([T, B, model.Config.Tags], result["emissions"].Shape);
        var diff = new MaxDifference(output);
        diff.Compare(ours, result["emissions"].Values, "emissions");
        diff.Report($"tagger {inputs} {cell} bidirectional={bidirectional} layers={layers}");
    }

    [Fact]
    public void Step_mode_is_refused_for_a_classifier()
    {
        var model = new SequenceClassifier(new SequenceClassifierConfig { VocabSize = 5, EmbeddingSize = 2, HiddenSize = 2 });
        var e = Assert.Throws<RecurrentException>(() => OnnxExport.ToBytes(model, OnnxExportMode.Step));
        Assert.Contains("--mode step applies to language models only", e.Message);
    }

    private static RecurrentState RowState(LanguageModel model, float[] h, float[] c, int b, int batch)
    {
        RecurrentState state = model.CreateState(1);
        int H = model.Config.HiddenSize;
        for (int l = 0; l < model.Config.NumLayers; l++)
        {
            RecurrentState part = state.Parts[l];
            h.AsSpan((l * batch + b) * H, H).CopyTo(part.Hidden.Span);
            if (part.Cell is not null) c.AsSpan((l * batch + b) * H, H).CopyTo(part.Cell.Span);
        }
        return state;
    }

    private static void CompareState(MaxDifference diff, RecurrentState state, float[] h, float[]? c, int b, int batch, int hidden)
    {
        for (int l = 0; l < state.Parts.Count; l++)
        {
            diff.Compare(state.Parts[l].Hidden.Span, h.AsSpan((l * batch + b) * hidden, hidden), $"h[{l}, {b}]");
            if (c is not null) diff.Compare(state.Parts[l].Cell!.Span, c.AsSpan((l * batch + b) * hidden, hidden), $"c[{l}, {b}]");
        }
    }

    private static void RandomizeBiases(IModel model, ulong seed)
    {
        var random = new RandomGenerator(seed);
        foreach (Parameter p in model.Parameters)
            if (p.Name.Contains("bias", StringComparison.Ordinal)) random.FillUniform(p.Value.Span, -Scale, Scale);
    }

    private static long[] RandomTokens(RandomGenerator random, int n, int vocabulary)
    {
        var tokens = new long[n];
        for (int i = 0; i < n; i++) tokens[i] = random.NextInt(vocabulary);
        return tokens;
    }

    private static float[] Uniform(RandomGenerator random, int n)
    {
        var a = new float[n];
        random.FillUniform(a, -0.8f, 0.8f);
        return a;
    }

    private static long[] Longs(ReadOnlySpan<int> ids)
    {
        var a = new long[ids.Length];
        for (int i = 0; i < a.Length; i++) a[i] = ids[i];
        return a;
    }

    private static float[] Log(ReadOnlySpan<float> p)
    {
        var a = new float[p.Length];
        for (int i = 0; i < a.Length; i++) a[i] = MathF.Log(p[i]);
        return a;
    }

    private static float[] LogSoftmax(ReadOnlySpan<float> logits)
    {
        double max = double.NegativeInfinity, sum = 0;
        foreach (float v in logits) max = Math.Max(max, v);
        foreach (float v in logits) sum += Math.Exp(v - max);
        var a = new float[logits.Length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(logits[i] - max - Math.Log(sum));
        return a;
    }
}
