using Recurrent.Layers;
using Recurrent.Tensors;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Layers;

/// <summary>
/// Drives a recurrent layer for gradient checks: random input, non-zero initial state and the linear test loss
/// L = Σ output⊙G + Σ_leaves (Σ finalH⊙G_h + Σ finalC⊙G_c), accumulated in double.
/// </summary>
internal sealed class RecurrentHarness
{
    private readonly IRecurrentLayer _layer;
    private readonly int[] _lengths;
    private readonly Action? _beforeForward;

    public RecurrentHarness(IRecurrentLayer layer, int steps, int batch, int[] lengths, ulong seed, Action? beforeForward = null)
    {
        _layer = layer;
        _lengths = lengths;
        _beforeForward = beforeForward;
        var random = new RandomGenerator(seed);
        Input = new Tensor(steps, batch, layer.InputSize);
        random.FillUniform(Input.Span, -1f, 1f);
        Initial = layer.CreateState(batch);
        foreach (var t in Leaves(Initial)) random.FillUniform(t.Span, -0.8f, 0.8f);
        Final = layer.CreateState(batch);
        OutputWeights = new Tensor(steps, batch, layer.OutputSize);
        random.FillUniform(OutputWeights.Span, -1f, 1f);
        FinalWeights = layer.CreateState(batch);
        foreach (var t in Leaves(FinalWeights)) random.FillUniform(t.Span, -1f, 1f);
    }

    public Tensor Input { get; }
    public RecurrentState Initial { get; }
    public RecurrentState Final { get; }
    public Tensor Output { get; } = new(0);
    public Tensor OutputWeights { get; }
    public RecurrentState FinalWeights { get; }

    /// <summary>The state's tensors in a fixed order: each leaf's Hidden, then its Cell.</summary>
    public static List<Tensor> Leaves(RecurrentState state)
    {
        var list = new List<Tensor>();
        void Walk(RecurrentState s)
        {
            if (s.IsComposite) { foreach (var p in s.Parts) Walk(p); return; }
            list.Add(s.Hidden);
            if (s.Cell is not null) list.Add(s.Cell);
        }
        Walk(state);
        return list;
    }

    public double Loss()
    {
        _beforeForward?.Invoke();
        _layer.Forward(Input, Initial, Output, Final, _lengths);
        double sum = Dot(Output.Span, OutputWeights.Span);
        var finals = Leaves(Final);
        var weights = Leaves(FinalWeights);
        for (int i = 0; i < finals.Count; i++) sum += Dot(finals[i].Span, weights[i].Span);
        return sum;
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    /// <summary>Runs forward and backward at the current point and lists every quantity with its analytic gradient.</summary>
    public List<GradientTarget> AnalyticGradients()
    {
        foreach (var p in _layer.Parameters) p.Gradient.Clear();
        Loss();
        var inputGradient = new Tensor(0);
        var initialGradient = _layer.CreateState(Input.Dim(1));
        foreach (var t in Leaves(initialGradient)) t.Fill(float.NaN); // must be overwritten
        _layer.Backward(OutputWeights, FinalWeights, inputGradient, initialGradient);

        var targets = new List<GradientTarget> { new("input", () => Input.Span, inputGradient.Span.ToArray()) };
        foreach (var p in _layer.Parameters)
            targets.Add(new GradientTarget(p.Name, () => p.Value.Span, p.Gradient.Span.ToArray()));
        var initials = Leaves(Initial);
        var initialGradients = Leaves(initialGradient);
        for (int i = 0; i < initials.Count; i++)
        {
            Tensor t = initials[i];
            targets.Add(new GradientTarget($"initial state tensor {i}", () => t.Span, initialGradients[i].Span.ToArray()));
        }
        return targets;
    }
}
