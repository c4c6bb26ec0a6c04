using System.Text.Json;
using Recurrent.Layers;
using Recurrent.Tensors;
using Xunit.Abstractions;

namespace Recurrent.Tests.Layers;

/// <summary>
/// Compares the layers with PyTorch (float64) on fixed weights and inputs: outputs, final states and the
/// gradients of L = Σ out⊙G + Σ h_n⊙G_h + Σ c_n⊙G_c with respect to input, every parameter and the initial state.
/// The cases and their weight mapping are described in Reference/make_reference.py.
/// </summary>
/// <remarks>
/// Our float32 results differ from the float64 reference by rounding only: a few ulps per operation over five
/// steps and two layers (observed: ≤ 7e-7 absolute on values of size ≤ 1.5). Tolerance: |ours − ref| ≤ 2e-6 + 1e-5·|ref|,
/// loose enough for a GEMM that sums in another order, far tighter than any formula or layout mistake.
/// </remarks>
public class ReferenceTests(ITestOutputHelper output)
{
    private const double Atol = 2e-6, Rtol = 1e-5;

    [Theory]
    [InlineData("lstm_stacked")]
    [InlineData("gru_stacked")]
    [InlineData("bilstm_masked")]
    [InlineData("lstm_peephole_masked")]
    public void MatchesPyTorch(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", name + ".json")));
        var root = doc.RootElement;
        int T = root.GetProperty("T").GetInt32(), B = root.GetProperty("B").GetInt32();
        int I = root.GetProperty("I").GetInt32(), H = root.GetProperty("H").GetInt32();
        int layers = root.GetProperty("layers").GetInt32();
        bool lstm = root.GetProperty("kind").GetString() == "lstm";
        bool bidirectional = root.GetProperty("bidirectional").GetBoolean();
        bool peepholes = root.GetProperty("peepholes").GetBoolean();
        float forgetBias = root.GetProperty("forget_bias").GetSingle();
        int[] lengths = root.GetProperty("lengths").EnumerateArray().Select(e => e.GetInt32()).ToArray();

        var random = new RandomGenerator(1); // weights are overwritten from the file
        IRecurrentLayer layer;
        if (bidirectional)
            layer = new Bidirectional(new Lstm("fw", I, H, random, 0.1f, forgetBias), new Lstm("bw", I, H, random, 0.1f, forgetBias));
        else if (layers == 1)
            layer = new Lstm("p", I, H, random, 0.1f, forgetBias, peepholes);
        else
        {
            var list = new List<IRecurrentLayer>();
            for (int l = 0; l < layers; l++)
                list.Add(lstm ? new Lstm($"l{l}", l == 0 ? I : H, H, random, 0.1f, forgetBias) : new Gru($"g{l}", l == 0 ? I : H, H, random, 0.1f));
            layer = new StackedRecurrent(list);
        }

        var parameters = layer.Parameters.ToDictionary(p => p.Name);
        var expectedGradients = new Dictionary<string, float[]>();
        foreach (var p in root.GetProperty("params").EnumerateArray())
        {
            var parameter = parameters[p.GetProperty("name").GetString()!];
            Floats(p.GetProperty("value")).CopyTo(parameter.Value.Span);
            expectedGradients[parameter.Name] = Floats(p.GetProperty("grad"));
            parameter.Gradient.Clear();
        }
        Assert.Equal(parameters.Count, expectedGradients.Count);

        var input = new Tensor(Floats(root.GetProperty("input")), T, B, I);
        var initial = layer.CreateState(B);
        SetParts(initial, root.GetProperty("h0"), root.GetProperty("c0"));
        var final = layer.CreateState(B);
        var outputs = new Tensor(0);
        layer.Forward(input, initial, outputs, final, lengths);

        var report = new List<string>();
        Compare("output", outputs.Span, Floats(root.GetProperty("output")), report);
        CompareParts("h_n", "c_n", final, root.GetProperty("hn"), root.GetProperty("cn"), report);

        var outputGradient = new Tensor(Floats(root.GetProperty("G")), T, B, layer.OutputSize);
        var finalGradient = layer.CreateState(B);
        SetParts(finalGradient, root.GetProperty("Gh"), root.GetProperty("Gc"));
        var inputGradient = new Tensor(0);
        var initialGradient = layer.CreateState(B);
        layer.Backward(outputGradient, finalGradient, inputGradient, initialGradient);

        Compare("dL/dinput", inputGradient.Span, Floats(root.GetProperty("grad_input")), report);
        CompareParts("dL/dh0", "dL/dc0", initialGradient, root.GetProperty("grad_h0"), root.GetProperty("grad_c0"), report);
        foreach (var (n, expected) in expectedGradients) Compare("dL/d" + n, parameters[n].Gradient.Span, expected, report);
        foreach (var line in report) output.WriteLine(line);
        Assert.DoesNotContain(report, line => line.StartsWith("FAIL", StringComparison.Ordinal));
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    private static IReadOnlyList<RecurrentState> PartsOf(RecurrentState state) => state.IsComposite ? state.Parts : [state];

    private static void SetParts(RecurrentState state, JsonElement hidden, JsonElement cell)
    {
        var parts = PartsOf(state);
        Assert.Equal(parts.Count, hidden.GetArrayLength());
        for (int i = 0; i < parts.Count; i++)
        {
            Floats(hidden[i]).CopyTo(parts[i].Hidden.Span);
            if (parts[i].Cell is { } c) Floats(cell[i]).CopyTo(c.Span);
        }
    }

    private static void CompareParts(string hName, string cName, RecurrentState state, JsonElement hidden, JsonElement cell, List<string> report)
    {
        var parts = PartsOf(state);
        for (int i = 0; i < parts.Count; i++)
        {
            Compare($"{hName}[{i}]", parts[i].Hidden.Span, Floats(hidden[i]), report);
            if (parts[i].Cell is { } c) Compare($"{cName}[{i}]", c.Span, Floats(cell[i]), report);
        }
    }

    private static void Compare(string what, ReadOnlySpan<float> actual, float[] expected, List<string> report)
    {
        if (actual.Length != expected.Length) { report.Add($"FAIL {what}: {actual.Length} values, expected {expected.Length}"); return; }
        double worstAbs = 0, worstRatio = 0;
        int worstIndex = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs((double)actual[i] - expected[i]);
            double ratio = diff / (Atol + Rtol * Math.Abs(expected[i]));
            worstAbs = Math.Max(worstAbs, diff);
            if (ratio > worstRatio || double.IsNaN(ratio)) { worstRatio = double.IsNaN(ratio) ? double.PositiveInfinity : ratio; worstIndex = i; }
        }
        string verdict = worstRatio <= 1 ? "ok  " : "FAIL";
        report.Add($"{verdict} {what}: max |diff| {worstAbs:E2}, worst/tol {worstRatio:F3} at [{worstIndex}] (ours {actual[worstIndex]:G9}, ref {expected[worstIndex]:G9})");
    }
}
