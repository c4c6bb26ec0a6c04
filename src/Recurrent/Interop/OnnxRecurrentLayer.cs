using Onnx;
using Recurrent.Models;
using Recurrent.Tensors;

namespace Recurrent.Interop;

/// <summary>
/// Writes one of our recurrent layers (one direction, or both of a <see cref="Layers.Bidirectional"/>) as ONNX's own
/// LSTM, GRU or RNN operator, with the weights rearranged into ONNX's layout so the operator computes exactly our cell.
/// </summary>
/// <remarks>
/// <para>LSTM: ours is <c>[i, j, f, o] = [x, h]·W + b</c> with W [I+H, 4H] (gate columns i, j, f, o) and the forget bias
/// added to f; ONNX's has W [dirs, 4H, I] and R [dirs, 4H, H] with gate rows i, o, f, c (c = our j) and
/// B [dirs, 8H] = [Wb, Rb]. So row block k of ONNX's W is our column block (0, 3, 2, 1)[k] transposed, Wb carries our
/// bias (plus the forget bias on f) and Rb is zero. Peepholes [w_i; w_f; w_o] become P [dirs, 3H] in ONNX's order i, o, f;
/// both apply the output peephole to the new cell.</para>
/// <para>GRU: ours is the cuDNN / PyTorch form, the reset gate multiplying (h·W_hn + b_hn), which is ONNX's
/// <c>linear_before_reset = 1</c>; ONNX orders the gates z, r, h where ours are r, z, n.</para>
/// <para>RNN: ONNX's with its default tanh, W [dirs, H, I], R [dirs, H, H], B = [b, 0].</para>
/// <para>Ragged batches: with <c>sequence_lens</c> ONNX stops each sequence at its length, outputs zeros past it,
/// reverses the backward direction within each length and returns the state after the last real step, as ours do.</para>
/// </remarks>
internal static class OnnxRecurrentLayer
{
    /// <summary>What one layer adds to the graph: Y [T, B, dirs·H] and the final states [dirs, B, H].</summary>
    public readonly record struct Result(string Output, string FinalHidden, string? FinalCell, int OutputSize);

    /// <summary>
    /// Adds the layer whose parameters are named <c>{prefix}.…</c> (unidirectional) or <c>{prefix}.forward.…</c> and
    /// <c>{prefix}.backward.…</c> (bidirectional).
    /// </summary>
    /// <param name="parameters">The model's parameters by name.</param>
    /// <param name="x">[T, B, I].</param>
    /// <param name="lengths">int32 [B], or null when every sequence has T steps.</param>
    /// <param name="initialHidden">[dirs, B, H], or null for zeros.</param>
    /// <param name="initialCell">[dirs, B, H] (LSTM), or null for zeros.</param>
    public static Result Add(OnnxGraphBuilder g, IReadOnlyDictionary<string, Tensor> parameters, CellKind cell, string prefix, bool bidirectional,
        float forgetBias, string x, string? lengths, string? initialHidden, string? initialCell)
    {
        string[] names = bidirectional ? [prefix + ".forward", prefix + ".backward"] : [prefix];
        int dirs = names.Length;
        string stem = prefix.Replace('.', '_');
        (float[] w, float[] r, float[] b, float[]? p, int input, int hidden) = cell switch
        {
            CellKind.Lstm => Lstm(parameters, names, forgetBias),
            CellKind.Gru => Gru(parameters, names),
            CellKind.Rnn => Rnn(parameters, names),
            _ => throw new RecurrentException($"ONNX export: unknown cell '{cell}'."),
        };
        int gates = cell switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };
        string wName = g.Floats(stem + "_W", w, dirs, gates * hidden, input);
        string rName = g.Floats(stem + "_R", r, dirs, gates * hidden, hidden);
        string bName = g.Floats(stem + "_B", b, dirs, 2 * gates * hidden);
        var inputs = new List<string> { x, wName, rName, bName, lengths ?? "", initialHidden ?? "" };
        if (cell == CellKind.Lstm)
        {
            inputs.Add(initialCell ?? "");
            if (p is not null) inputs.Add(g.Floats(stem + "_P", p, dirs, 3 * hidden));
        }
        while (inputs.Count > 0 && inputs[^1].Length == 0) inputs.RemoveAt(inputs.Count - 1);

        string y = g.Unique(stem + "_Y"), yh = g.Unique(stem + "_Y_h");
        string? yc = cell == CellKind.Lstm ? g.Unique(stem + "_Y_c") : null;
        var attributes = new List<(string, object)>
        {
            ("hidden_size", (long)hidden),
            ("direction", bidirectional ? "bidirectional" : "forward"),
        };
        if (cell == CellKind.Gru) attributes.Add(("linear_before_reset", 1L));
        string op = cell switch { CellKind.Lstm => "LSTM", CellKind.Gru => "GRU", _ => "RNN" };
        g.NodeOutputs(op, [.. inputs], yc is null ? new[] { y, yh } : new[] { y, yh, yc }, [.. attributes]);

        // Y is [T, dirs, B, H]; ours is [T, B, dirs·H] with the forward half first.
        string output = bidirectional
            ? g.Node("Reshape", [g.Node("Transpose", [y], attributes: ("perm", new long[] { 0, 2, 1, 3 })), g.Axes("shape_tb_flat", 0, 0, -1)])
            : g.Node("Squeeze", [y, g.Axes("axes_1", 1)]);
        return new Result(output, yh, yc, dirs * hidden);
    }

    private static (float[], float[], float[], float[]?, int, int) Lstm(IReadOnlyDictionary<string, Tensor> parameters, string[] names, float forgetBias)
    {
        Tensor w0 = Get(parameters, names[0] + ".weight");
        int hidden = w0.Dim(1) / 4, input = w0.Dim(0) - hidden, dirs = names.Length;
        var w = new float[dirs * 4 * hidden * input];
        var r = new float[dirs * 4 * hidden * hidden];
        var b = new float[dirs * 8 * hidden];
        float[]? p = null;
        ReadOnlySpan<int> ours = [0, 3, 2, 1]; // ONNX gate k (i, o, f, c) is our gate block ours[k] (i, j, f, o)
        for (int d = 0; d < dirs; d++)
        {
            ReadOnlySpan<float> weight = Get(parameters, names[d] + ".weight").Span, bias = Get(parameters, names[d] + ".bias").Span;
            for (int k = 0; k < 4; k++)
            for (int u = 0; u < hidden; u++)
            {
                int column = ours[k] * hidden + u, row = (d * 4 + k) * hidden + u;
                for (int i = 0; i < input; i++) w[row * input + i] = weight[i * 4 * hidden + column];
                for (int h = 0; h < hidden; h++) r[row * hidden + h] = weight[(input + h) * 4 * hidden + column];
                b[d * 8 * hidden + k * hidden + u] = bias[column] + (ours[k] == 2 ? forgetBias : 0f);
            }
            if (parameters.GetValueOrDefault(names[d] + ".peephole") is { } peephole)
            {
                p ??= new float[dirs * 3 * hidden];
                ReadOnlySpan<float> pv = peephole.Span; // rows w_i, w_f, w_o; ONNX wants i, o, f
                pv.Slice(0, hidden).CopyTo(p.AsSpan(d * 3 * hidden, hidden));
                pv.Slice(2 * hidden, hidden).CopyTo(p.AsSpan(d * 3 * hidden + hidden, hidden));
                pv.Slice(hidden, hidden).CopyTo(p.AsSpan(d * 3 * hidden + 2 * hidden, hidden));
            }
        }
        return (w, r, b, p, input, hidden);
    }

    private static (float[], float[], float[], float[]?, int, int) Gru(IReadOnlyDictionary<string, Tensor> parameters, string[] names)
    {
        Tensor wi0 = Get(parameters, names[0] + ".weight_ih");
        int hidden = wi0.Dim(1) / 3, input = wi0.Dim(0), dirs = names.Length;
        var w = new float[dirs * 3 * hidden * input];
        var r = new float[dirs * 3 * hidden * hidden];
        var b = new float[dirs * 6 * hidden];
        ReadOnlySpan<int> ours = [1, 0, 2]; // ONNX gate k (z, r, h) is our gate block ours[k] (r, z, n)
        for (int d = 0; d < dirs; d++)
        {
            ReadOnlySpan<float> wi = Get(parameters, names[d] + ".weight_ih").Span, wh = Get(parameters, names[d] + ".weight_hh").Span;
            ReadOnlySpan<float> bi = Get(parameters, names[d] + ".bias_ih").Span, bh = Get(parameters, names[d] + ".bias_hh").Span;
            for (int k = 0; k < 3; k++)
            for (int u = 0; u < hidden; u++)
            {
                int column = ours[k] * hidden + u, row = (d * 3 + k) * hidden + u;
                for (int i = 0; i < input; i++) w[row * input + i] = wi[i * 3 * hidden + column];
                for (int h = 0; h < hidden; h++) r[row * hidden + h] = wh[h * 3 * hidden + column];
                b[d * 6 * hidden + k * hidden + u] = bi[column];
                b[d * 6 * hidden + 3 * hidden + k * hidden + u] = bh[column];
            }
        }
        return (w, r, b, null, input, hidden);
    }

    private static (float[], float[], float[], float[]?, int, int) Rnn(IReadOnlyDictionary<string, Tensor> parameters, string[] names)
    {
        Tensor w0 = Get(parameters, names[0] + ".weight");
        int hidden = w0.Dim(1), input = w0.Dim(0) - hidden, dirs = names.Length;
        var w = new float[dirs * hidden * input];
        var r = new float[dirs * hidden * hidden];
        var b = new float[dirs * 2 * hidden];
        for (int d = 0; d < dirs; d++)
        {
            ReadOnlySpan<float> weight = Get(parameters, names[d] + ".weight").Span;
            for (int u = 0; u < hidden; u++)
            {
                int row = d * hidden + u;
                for (int i = 0; i < input; i++) w[row * input + i] = weight[i * hidden + u];
                for (int h = 0; h < hidden; h++) r[row * hidden + h] = weight[(input + h) * hidden + u];
            }
            Get(parameters, names[d] + ".bias").Span.CopyTo(b.AsSpan(d * 2 * hidden, hidden));
        }
        return (w, r, b, null, input, hidden);
    }

    /// <summary>The parameter called <paramref name="name"/>; a model without it is not the model its config describes.</summary>
    public static Tensor Get(IReadOnlyDictionary<string, Tensor> parameters, string name) =>
        parameters.TryGetValue(name, out Tensor? t) ? t : throw new RecurrentException($"ONNX export: the model has no parameter '{name}'.");
}
