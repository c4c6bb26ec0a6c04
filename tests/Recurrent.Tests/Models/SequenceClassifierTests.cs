using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Optimizers;
using Recurrent.Tensors;
using Recurrent.Tests.Support;
using Xunit.Abstractions;

namespace Recurrent.Tests.Models;

/// <summary>
/// The classifier's forward and backward on ragged batches: a padded batch must give every sequence exactly what
/// it gets alone (so padding and batch-mates never leak in), for every head, one or two directions, softmax or
/// sigmoid output; and its gradients must match central differences.
/// </summary>
public sealed class SequenceClassifierTests(ITestOutputHelper output)
{
    private static SequenceClassifierConfig Tiny(ClassifierHead head, bool bidirectional, CellKind cell = CellKind.Lstm, bool sigmoid = false, int layers = 1) => new()
    {
        VocabSize = 9,
        Classes = sigmoid ? 2 : 3,
        EmbeddingSize = 5,
        EmbeddingInitScale = 0.5f,
        HiddenSize = 4,
        NumLayers = layers,
        Bidirectional = bidirectional,
        Head = head,
        Cell = cell,
        InitScale = 0.5f,
        SigmoidOutput = sigmoid,
        Seed = 7,
    };

    public static TheoryData<ClassifierHead, bool, CellKind, bool, int> Variants => new()
    {
        { ClassifierHead.Last, false, CellKind.Lstm, false, 1 },
        { ClassifierHead.Last, false, CellKind.Gru, true, 2 },
        { ClassifierHead.Mean, false, CellKind.Lstm, false, 1 },
        { ClassifierHead.Max, false, CellKind.Gru, false, 1 },
        { ClassifierHead.Last, true, CellKind.Lstm, false, 1 },
        { ClassifierHead.BiLast, true, CellKind.Lstm, false, 2 },
        { ClassifierHead.BiLast, true, CellKind.Gru, true, 1 },
        { ClassifierHead.Mean, true, CellKind.Lstm, true, 1 },
        { ClassifierHead.Max, true, CellKind.Lstm, false, 2 },
    };

    private static readonly int[][] Sequences = [[1, 2, 3, 4, 5], [6, 7], [8, 1, 2, 3], [4]];
    private static readonly int[] Labels = [0, 1, 1, 0];

    /// <summary>Right-padded, time-major tokens of <see cref="Sequences"/>, padding id 0.</summary>
    private static int[] Padded(int steps)
    {
        var tokens = new int[steps * Sequences.Length];
        for (int b = 0; b < Sequences.Length; b++)
            for (int t = 0; t < Sequences[b].Length; t++) tokens[t * Sequences.Length + b] = Sequences[b][t];
        return tokens;
    }

    private static float[][] Gradients(SequenceClassifier model) => model.Parameters.Select(p => p.Gradient.Span.ToArray()).ToArray();

    [Theory]
    [MemberData(nameof(Variants))]
    public void RaggedBatchEqualsEachSequenceAlone(ClassifierHead head, bool bidirectional, CellKind cell, bool sigmoid, int layers)
    {
        var model = new SequenceClassifier(Tiny(head, bidirectional, cell, sigmoid, layers));
        int batch = Sequences.Length, steps = 6; // one step of padding past the longest
        int[] lengths = Sequences.Select(s => s.Length).ToArray();
        var probabilities = new float[batch * 3];
        int classes = model.Config.Classes;

        ParameterGradients.Zero(model.Parameters);
        double batchLoss = model.TrainBatch(Padded(steps), steps, batch, lengths, Labels, 1f);
        float[][] batchGradients = Gradients(model);
        model.Evaluate(Padded(steps), steps, batch, lengths, Labels, probabilities);

        double aloneLoss = 0;
        var summed = model.Parameters.Select(p => new double[p.Value.Length]).ToArray();
        var alone = new float[classes];
        for (int b = 0; b < batch; b++)
        {
            int[] tokens = Sequences[b];
            ParameterGradients.Zero(model.Parameters);
            aloneLoss += model.TrainBatch(tokens, tokens.Length, 1, [tokens.Length], [Labels[b]], 1f);
            float[][] g = Gradients(model);
            for (int i = 0; i < g.Length; i++)
                for (int j = 0; j < g[i].Length; j++) summed[i][j] += g[i][j];
            model.Evaluate(tokens, tokens.Length, 1, default, [Labels[b]], alone);
            for (int c = 0; c < classes; c++)
                Assert.True(Math.Abs(alone[c] - probabilities[b * classes + c]) <= 1e-6, $"sequence {b} class {c}: alone {alone[c]} vs in batch {probabilities[b * classes + c]}");
        }
        Assert.True(Math.Abs(batchLoss - aloneLoss) <= 1e-5 * Math.Abs(aloneLoss), $"loss: batch {batchLoss} vs alone {aloneLoss}");
        double largest = 0;
        for (int i = 0; i < summed.Length; i++)
            for (int j = 0; j < summed[i].Length; j++)
            {
                double expected = summed[i][j], actual = batchGradients[i][j];
                largest = Math.Max(largest, Math.Abs(expected));
                Assert.True(Math.Abs(expected - actual) <= 1e-5 + 1e-4 * Math.Abs(expected),
                    $"{model.Parameters[i].Name}[{j}]: batch {actual:G7} vs sum of sequences alone {expected:G7}");
            }
        Assert.True(largest > 1e-3, "the gradients are all (nearly) zero: the comparison proves nothing");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void GradientsMatchCentralDifferences(ClassifierHead head, bool bidirectional, CellKind cell, bool sigmoid, int layers)
    {
        var model = new SequenceClassifier(Tiny(head, bidirectional, cell, sigmoid, layers));
        int batch = Sequences.Length, steps = 5;
        int[] lengths = Sequences.Select(s => s.Length).ToArray();
        int[] tokens = Padded(steps);
        const float scale = 0.5f;
        ParameterGradients.Zero(model.Parameters);
        model.TrainBatch(tokens, steps, batch, lengths, Labels, scale);
        double Loss() => scale * model.Evaluate(tokens, steps, batch, lengths, Labels, default);
        var checks = model.Parameters.Select(p => new GradientTarget(p.Name, () => p.Value.Span, p.Gradient.Span.ToArray())).ToList();
        foreach (GradientTarget t in checks) Assert.True(t.Analytic.Any(g => g != 0), $"{t.Name} has an all-zero gradient.");
        // Same error budget as the language model's check: float32 forward passes through ≤ 2 recurrent layers.
        double worst = GradientCheck.Check(Loss, checks, 1e-2, 3e-4, 3e-3);
        output.WriteLine($"worst |error| / tolerance = {worst:F3}");
    }

    [Fact]
    public void FrozenEmbeddingGetsNoGradientAndIsNotTrained()
    {
        var model = new SequenceClassifier(Tiny(ClassifierHead.Last, false) with { FreezeEmbeddings = true });
        Assert.DoesNotContain(model.EmbeddingWeight!, model.TrainableParameters);
        Assert.Equal(model.Parameters.Count - 1, model.TrainableParameters.Count);
        ParameterGradients.Zero(model.Parameters);
        model.TrainBatch(Padded(5), 5, 4, Sequences.Select(s => s.Length).ToArray(), Labels, 1f);
        Assert.All(model.EmbeddingWeight!.Gradient.Span.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void InferenceCopySharesWeightsAndGivesTheSameProbabilities()
    {
        var model = new SequenceClassifier(Tiny(ClassifierHead.Mean, true));
        SequenceClassifier copy = model.CreateInference();
        int[] lengths = Sequences.Select(s => s.Length).ToArray();
        var a = new float[12];
        var b = new float[12];
        model.Evaluate(Padded(5), 5, 4, lengths, default, a);
        copy.Evaluate(Padded(5), 5, 4, lengths, default, b);
        Assert.Equal(a, b);
        // Shared, not copied: a change to the original's weights shows in the copy.
        model.Parameters[^1].Value.Span[0] += 1f;
        copy.Evaluate(Padded(5), 5, 4, lengths, default, b);
        Assert.NotEqual(a, b);
        Assert.Same(model.Parameters[0].Value.Data, copy.Parameters[0].Value.Data);
    }

    [Fact]
    public void ConfigRoundTripsThroughJsonAndRejectsBadSettings()
    {
        SequenceClassifierConfig config = Tiny(ClassifierHead.BiLast, true, CellKind.Gru);
        Assert.Equal(config, SequenceClassifierConfig.FromJson(config.ToJson(), "test"));
        Assert.Contains("\"head\": \"bi_last\"", config.ToJson());
        var e = Assert.Throws<RecurrentException>(() => config.Overlay("{\"hiden_size\": 3}", "cfg.json"));
        Assert.Contains("hiden_size", e.Message);
        e = Assert.Throws<RecurrentException>(() => new SequenceClassifier(config with { Bidirectional = false }));
        Assert.Contains("bilast", e.Message);
        e = Assert.Throws<RecurrentException>(() => new SequenceClassifier(config with { SigmoidOutput = true, Classes = 3 }));
        Assert.Contains("sigmoid_output", e.Message);
    }
}
