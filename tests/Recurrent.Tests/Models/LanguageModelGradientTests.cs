using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Optimizers;
using Recurrent.Tensors;
using Recurrent.Tests.Support;
using Xunit.Abstractions;

namespace Recurrent.Tests.Models;

/// <summary>
/// Whole-model gradient check: the parameter gradients that <see cref="LanguageModel.TrainBatch"/> accumulates
/// (embedding or one-hot input → two recurrent layers → softmax → cross-entropy, scaled by s) against central
/// differences of <c>s · EvaluateBatch</c> from the same initial state.
/// </summary>
/// <remarks>
/// Both calls leave the final state in the state they are given, so every evaluation starts from a copy of the
/// initial state. With keep_prob 1 training and evaluation compute the same function.
/// <para>Tolerances. L = s·Σ of 6 row losses (s = 0.5), each formed in float32 as lse − x_t with |lse|, |x_t| ≲ 3
/// from logits that went through two float32 recurrent layers and a softmax projection; each row carries a
/// rounding error of a few units of 2^-24·3 ≈ 2e-7, so L is noisy by ≲ 0.5·6·(a few)·2e-7 ≈ 2e-6–4e-6. The
/// central difference with eps = 1e-2 divides that by 2eps: ≲ 2e-4 absolute (observed worst below, logged).
/// Its truncation error eps²·|L‴|/6 ≈ 2e-5·|L‴| with L‴ = O(1) for weights in [−0.5, 0.5]. Hence atol = 3e-4,
/// rtol = 3e-3, as in the layer checks; a missing or mis-scaled term (≳ 1e-2 here) fails by far.</para>
/// </remarks>
public class LanguageModelGradientTests(ITestOutputHelper output)
{
    private const double Eps = 1e-2, Atol = 3e-4, Rtol = 3e-3;
    private const int Steps = 3, Batch = 2;
    private const float Scale = 0.5f;

    private static LanguageModelConfig Tiny(CellKind cell, bool oneHot = false) => new()
    {
        VocabSize = 7,
        HiddenSize = 5,
        EmbeddingSize = 4, // differs from the hidden size, so a swapped dimension cannot go unnoticed
        NumLayers = 2,
        NumSteps = Steps,
        BatchSize = Batch,
        KeepProb = 1f,
        InitScale = 0.5f, // large enough that every gate is away from its linear regime
        ForgetBias = 0.5f,
        Cell = cell,
        OneHot = oneHot,
        Seed = 11,
    };

    private void Check(LanguageModelConfig config, bool carriedState, ulong dataSeed)
    {
        var model = new LanguageModel(config);
        var random = new RandomGenerator(dataSeed);
        int n = Steps * Batch;
        var inputs = new int[n];
        var targets = new int[n];
        for (int i = 0; i < n; i++)
        {
            inputs[i] = random.NextInt(config.VocabSize);
            targets[i] = random.NextInt(config.VocabSize);
        }
        RecurrentState initial = model.CreateState(Batch);
        if (carriedState)
            foreach (Tensor t in LanguageModel.StateTensors(initial)) random.FillUniform(t.Span, -0.8f, 0.8f);
        RecurrentState state = model.CreateState(Batch);

        // Gradients accumulate: start from zero (and from non-zero garbage would be a different test).
        ParameterGradients.Zero(model.Parameters);
        state.CopyFrom(initial);
        double trainLoss = model.TrainBatch(inputs, targets, Steps, Batch, state, Scale);
        List<Tensor> trainFinal = LanguageModel.StateTensors(state).ConvertAll(t => t.Clone());

        double Loss()
        {
            state.CopyFrom(initial);
            return Scale * model.EvaluateBatch(inputs, targets, Steps, Batch, state);
        }

        // Without dropout the training forward pass is the evaluation forward pass: the same final state, and the
        // same loss up to float rounding (the loss with its gradient sums exponentials through another kernel).
        double evalLoss = Loss();
        Assert.True(Math.Abs(trainLoss * Scale - evalLoss) <= 1e-6 * Math.Abs(evalLoss), $"train {trainLoss * Scale:R} vs evaluate {evalLoss:R}");
        List<Tensor> evalFinal = LanguageModel.StateTensors(state);
        for (int i = 0; i < evalFinal.Count; i++) Assert.Equal(trainFinal[i].Span.ToArray(), evalFinal[i].Span.ToArray());
        if (carriedState) Assert.NotEqual(0f, initial.Hidden[0, 0]);

        var checks = new List<GradientTarget>();
        foreach (Parameter p in model.Parameters)
            checks.Add(new GradientTarget(p.Name, () => p.Value.Span, p.Gradient.Span.ToArray()));
        // A gradient that is zero everywhere would pass trivially against a model that ignores its input.
        foreach (GradientTarget t in checks)
            Assert.True(t.Analytic.Any(g => g != 0), $"{t.Name} has an all-zero gradient.");
        double worst = GradientCheck.Check(Loss, checks, Eps, Atol, Rtol);
        output.WriteLine($"{checks.Count} parameters, worst |error| / tolerance = {worst:F3}");
    }

    [Fact]
    public void LstmWithEmbedding() => Check(Tiny(CellKind.Lstm), carriedState: false, dataSeed: 1);

    [Fact]
    public void Gru() => Check(Tiny(CellKind.Gru), carriedState: false, dataSeed: 2);

    [Fact]
    public void OneHotInput() => Check(Tiny(CellKind.Lstm, oneHot: true), carriedState: false, dataSeed: 3);

    /// <summary>A state carried from a previous batch: its contribution must flow through the first step.</summary>
    [Fact]
    public void LstmFromCarriedState() => Check(Tiny(CellKind.Lstm), carriedState: true, dataSeed: 4);

    [Fact]
    public void GruFromCarriedStateOneHot() => Check(Tiny(CellKind.Gru, oneHot: true), carriedState: true, dataSeed: 5);

    [Fact]
    public void SimpleRnn() => Check(Tiny(CellKind.Rnn), carriedState: true, dataSeed: 6);
}
