using Recurrent.Layers;
using Recurrent.Tensors;
using Recurrent.Tests.Support;
using Xunit.Abstractions;

namespace Recurrent.Tests.Layers;

/// <summary>
/// Finite-difference checks of every recurrent layer and wrapper: input, parameter and initial-state gradients.
/// </summary>
/// <remarks>
/// Tolerances. The forward pass is float32; L (a sum of ~10² terms, Σ|terms| ≲ 30) is formed in double from
/// float32 outputs whose relative rounding error is a few units of 2^-24 ≈ 6e-8, so L is noisy by about
/// 6e-8·30·(a few) ≈ 2e-6–5e-6. The central difference with eps = 1e-2 divides that by 2eps: ≲ 2.5e-4 absolute
/// noise per numeric derivative (observed: ≲ 5e-5). Its truncation error is eps²·|L‴|/6 ≈ 2e-5·|L‴|, with
/// L‴ = O(1) for weights of scale ≤ 0.5 and inputs in [−1, 1]. Hence atol = 3e-4 and rtol = 3e-3; a missing or
/// wrong term in a gradient (O(0.01–1)) fails by far. Tests log the worst |error| / tolerance.
/// </remarks>
public class RecurrentGradientTests(ITestOutputHelper output)
{
    private const double Eps = 1e-2, Atol = 3e-4, Rtol = 3e-3;
    private const float Scale = 0.5f;

    private void Run(IRecurrentLayer layer, int steps, int batch, int[] lengths, ulong seed = 7, Action? beforeForward = null)
    {
        var harness = new RecurrentHarness(layer, steps, batch, lengths, seed, beforeForward);
        var targets = harness.AnalyticGradients();
        double worst = GradientCheck.Check(harness.Loss, targets, Eps, Atol, Rtol);
        output.WriteLine($"worst |error| / tolerance = {worst:F3}");
    }

    private static RandomGenerator Rng(ulong seed = 1) => new(seed);

    [Fact]
    public void LstmDefaultForgetBias() => Run(new Lstm("lstm", 3, 5, Rng(), Scale), steps: 4, batch: 3, lengths: []);

    [Fact]
    public void LstmZeroForgetBias() => Run(new Lstm("lstm", 3, 4, Rng(2), Scale, forgetBias: 0f), 3, 2, []);

    [Fact]
    public void LstmPeepholes() => Run(new Lstm("lstm", 3, 5, Rng(3), Scale, forgetBias: 0.5f, usePeepholes: true), 4, 3, []);

    [Fact]
    public void LstmMasked() => Run(new Lstm("lstm", 3, 4, Rng(4), Scale), 5, 4, [5, 0, 2, 1]);

    [Fact]
    public void LstmPeepholesMasked() => Run(new Lstm("lstm", 2, 4, Rng(5), Scale, usePeepholes: true), 4, 3, [3, 4, 0]);

    /// <summary>Hidden 19 = one 16-lane block plus a 3-element scalar tail in the cell kernels; 27 adds an 8-lane block.</summary>
    [Fact]
    public void LstmWideHiddenWithTails() => Run(new Lstm("lstm", 2, 19, Rng(6), 0.3f, usePeepholes: true), 3, 2, [3, 2]);

    [Fact]
    public void Gru() => Run(new Gru("gru", 3, 5, Rng(7), Scale), 4, 3, []);

    [Fact]
    public void GruMasked() => Run(new Gru("gru", 3, 4, Rng(8), Scale), 5, 4, [1, 5, 0, 3]);

    [Fact]
    public void GruWideHiddenWithTails() => Run(new Gru("gru", 2, 27, Rng(9), 0.3f), 3, 2, [2, 3]);

    [Fact]
    public void SimpleRnn() => Run(new SimpleRnn("rnn", 3, 5, Rng(10), Scale), 4, 3, []);

    [Fact]
    public void SimpleRnnMasked() => Run(new SimpleRnn("rnn", 3, 4, Rng(11), Scale), 5, 4, [0, 5, 3, 1]);

    [Fact]
    public void StackedLstmMasked() => Run(
        new StackedRecurrent([new Lstm("l0", 3, 4, Rng(12), Scale), new Lstm("l1", 4, 3, Rng(13), Scale)]), 4, 3, [4, 2, 0]);

    [Fact]
    public void StackedMixedThreeLayers() => Run(
        new StackedRecurrent([new Gru("g", 2, 4, Rng(14), Scale), new Lstm("l", 4, 3, Rng(15), Scale, usePeepholes: true), new SimpleRnn("r", 3, 3, Rng(16), Scale)]),
        3, 2, []);

    /// <summary>Dropout between layers with a fixed mask: the generator is restored before every forward pass.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StackedWithDropoutFixedMask(bool variational)
    {
        var random = new RandomGenerator(99);
        ulong[] state = random.GetState();
        var stack = new StackedRecurrent(
            [new Lstm("l0", 3, 4, Rng(17), Scale), new Lstm("l1", 4, 4, Rng(18), Scale), new Gru("g2", 4, 3, Rng(19), Scale)],
            keepProbability: 0.6f, random, variational);
        Run(stack, 4, 3, [4, 3, 1], beforeForward: () => random.SetState(state));
    }

    [Fact]
    public void BidirectionalLstmMasked() => Run(
        new Bidirectional(new Lstm("fw", 3, 4, Rng(20), Scale), new Lstm("bw", 3, 3, Rng(21), Scale, usePeepholes: true)), 5, 4, [5, 3, 0, 1]);

    [Fact]
    public void BidirectionalGruFullLength() => Run(
        new Bidirectional(new Gru("fw", 2, 3, Rng(22), Scale), new Gru("bw", 2, 4, Rng(23), Scale)), 4, 2, []);

    [Fact]
    public void StackedBidirectional() => Run(
        new StackedRecurrent([
            new Bidirectional(new Lstm("fw0", 2, 3, Rng(24), Scale), new Lstm("bw0", 2, 3, Rng(25), Scale)),
            new Lstm("top", 6, 3, Rng(26), Scale)]), 4, 3, [4, 1, 3]);

    /// <summary>Loss on the last valid output only (sequence classification): SelectLast and its backward.</summary>
    [Fact]
    public void SelectLastAfterMaskedLstm()
    {
        var layer = new Lstm("lstm", 3, 4, Rng(27), Scale);
        int steps = 5, batch = 4;
        int[] lengths = [5, 2, 0, 3];
        var random = new RandomGenerator(5);
        var input = new Tensor(steps, batch, 3);
        random.FillUniform(input.Span, -1, 1);
        var initial = layer.CreateState(batch);
        random.FillUniform(initial.Hidden.Span, -0.5f, 0.5f);
        random.FillUniform(initial.Cell!.Span, -0.5f, 0.5f);
        var weights = new Tensor(batch, 4);
        random.FillUniform(weights.Span, -1, 1);
        var final = layer.CreateState(batch);
        var outputs = new Tensor(0);
        var last = new Tensor(0);
        double Loss()
        {
            layer.Forward(input, initial, outputs, final, lengths);
            SequenceOps.SelectLast(outputs, lengths, last);
            double s = 0;
            for (int i = 0; i < last.Length; i++) s += (double)last[i] * weights[i];
            return s;
        }
        foreach (var p in layer.Parameters) p.Gradient.Clear();
        Loss();
        var outputGradient = new Tensor(0);
        SequenceOps.SelectLastBackward(weights, lengths, steps, outputGradient);
        var inputGradient = new Tensor(0);
        var initialGradient = layer.CreateState(batch);
        layer.Backward(outputGradient, null, inputGradient, initialGradient);
        // The row of length 0 has no last output, so nothing may flow back into its initial state.
        for (int k = 0; k < 4; k++) Assert.Equal(0f, initialGradient.Hidden[2, k]);
        var targets = new List<GradientTarget>
        {
            new("input", () => input.Span, inputGradient.Span.ToArray()),
            new("initial h", () => initial.Hidden.Span, initialGradient.Hidden.Span.ToArray()),
            new("initial c", () => initial.Cell!.Span, initialGradient.Cell!.Span.ToArray()),
        };
        foreach (var p in layer.Parameters) targets.Add(new(p.Name, () => p.Value.Span, p.Gradient.Span.ToArray()));
        GradientCheck.Check(Loss, targets, Eps, Atol, Rtol);
    }
}
