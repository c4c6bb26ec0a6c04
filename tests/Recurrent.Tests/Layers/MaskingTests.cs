using Recurrent.Layers;
using Recurrent.Tensors;

namespace Recurrent.Tests.Layers;

/// <summary>
/// A padded batch must give, for each sequence, what that sequence gives alone (batch 1, T = its length):
/// the same outputs at valid steps, zeros at padding, the same final state, and the same gradients.
/// </summary>
public class MaskingTests
{
    // Rows are computed by the same kernels with the same summation order whether alone or in a batch, except
    // that a blocked GEMM may order its sums differently for other row counts: allow a few float32 ulps.
    private const float Tolerance = 1e-6f;

    public static TheoryData<string> Layers => new() { "lstm", "lstm-peephole", "gru", "rnn", "stacked", "bidirectional" };

    private static IRecurrentLayer Make(string kind)
    {
        var r = new RandomGenerator(42);
        return kind switch
        {
            "lstm" => new Lstm("l", 3, 5, r, 0.5f),
            "lstm-peephole" => new Lstm("l", 3, 5, r, 0.5f, 0.3f, usePeepholes: true),
            "gru" => new Gru("g", 3, 5, r, 0.5f),
            "rnn" => new SimpleRnn("r", 3, 5, r, 0.5f),
            "stacked" => new StackedRecurrent([new Lstm("a", 3, 4, r, 0.5f), new Gru("b", 4, 5, r, 0.5f)]),
            "bidirectional" => new Bidirectional(new Lstm("f", 3, 3, r, 0.5f), new Gru("b", 3, 2, r, 0.5f)),
            _ => throw new ArgumentException(kind),
        };
    }

    private static List<Tensor> Leaves(RecurrentState s) => RecurrentHarness.Leaves(s);

    [Theory]
    [MemberData(nameof(Layers))]
    public void PaddedBatchEqualsEachSequenceAlone(string kind)
    {
        var layer = Make(kind);
        int T = 6, B = 4, I = layer.InputSize, O = layer.OutputSize;
        int[] lengths = [6, 3, 0, 1];
        var random = new RandomGenerator(3);
        var input = new Tensor(T, B, I);
        random.FillUniform(input.Span, -1, 1);
        var initial = layer.CreateState(B);
        foreach (var t in Leaves(initial)) random.FillUniform(t.Span, -0.5f, 0.5f);
        var outputGradient = new Tensor(T, B, O);
        random.FillUniform(outputGradient.Span, -1, 1);
        var finalGradient = layer.CreateState(B);
        foreach (var t in Leaves(finalGradient)) random.FillUniform(t.Span, -1, 1);

        var output = new Tensor(0);
        var final = layer.CreateState(B);
        layer.Forward(input, initial, output, final, lengths);
        var inputGradient = new Tensor(0);
        var initialGradient = layer.CreateState(B);
        layer.Backward(outputGradient, finalGradient, inputGradient, initialGradient);
        // Copies, because the single runs below reuse the layer's buffers.
        float[] batchOutput = output.Span.ToArray(), batchInputGradient = inputGradient.Span.ToArray();
        var batchFinal = Leaves(final).Select(t => t.Span.ToArray()).ToList();
        var batchInitialGradient = Leaves(initialGradient).Select(t => t.Span.ToArray()).ToList();

        for (int b = 0; b < B; b++)
        {
            int n = lengths[b];
            // Padding outputs zeros and receives no input gradient.
            for (int t = n; t < T; t++)
                for (int k = 0; k < O; k++) Assert.Equal(0f, batchOutput[(t * B + b) * O + k]);
            for (int t = n; t < T; t++)
                for (int k = 0; k < I; k++) Assert.Equal(0f, batchInputGradient[(t * B + b) * I + k]);

            var x = new Tensor(n, 1, I);
            var dy = new Tensor(n, 1, O);
            for (int t = 0; t < n; t++)
            {
                input.Span.Slice((t * B + b) * I, I).CopyTo(x.Span.Slice(t * I, I));
                outputGradient.Span.Slice((t * B + b) * O, O).CopyTo(dy.Span.Slice(t * O, O));
            }
            var init = layer.CreateState(1);
            var dFinal = layer.CreateState(1);
            var leavesInit = Leaves(init);
            var leavesDFinal = Leaves(dFinal);
            for (int i = 0; i < leavesInit.Count; i++)
            {
                int w = leavesInit[i].Length;
                Leaves(initial)[i].Span.Slice(b * w, w).CopyTo(leavesInit[i].Span);
                Leaves(finalGradient)[i].Span.Slice(b * w, w).CopyTo(leavesDFinal[i].Span);
            }
            var y = new Tensor(0);
            var fin = layer.CreateState(1);
            layer.Forward(x, init, y, fin);
            var dx = new Tensor(0);
            var dInit = layer.CreateState(1);
            layer.Backward(dy, dFinal, dx, dInit);

            for (int t = 0; t < n; t++)
            {
                AssertClose(y.Span.Slice(t * O, O), batchOutput.AsSpan((t * B + b) * O, O), $"output t={t} b={b}");
                AssertClose(dx.Span.Slice(t * I, I), batchInputGradient.AsSpan((t * B + b) * I, I), $"input gradient t={t} b={b}");
            }
            var leavesFin = Leaves(fin);
            var leavesDInit = Leaves(dInit);
            for (int i = 0; i < leavesFin.Count; i++)
            {
                int w = leavesFin[i].Length;
                AssertClose(leavesFin[i].Span, batchFinal[i].AsSpan(b * w, w), $"final state {i} b={b}");
                AssertClose(leavesDInit[i].Span, batchInitialGradient[i].AsSpan(b * w, w), $"initial state gradient {i} b={b}");
            }
        }
    }

    [Fact]
    public void EmptyLengthsMeanFullLength()
    {
        var layer = Make("lstm");
        var random = new RandomGenerator(5);
        var input = new Tensor(4, 2, 3);
        random.FillUniform(input.Span, -1, 1);
        var initial = layer.CreateState(2);
        var a = new Tensor(0);
        var b = new Tensor(0);
        layer.Forward(input, initial, a, layer.CreateState(2));
        layer.Forward(input, initial, b, layer.CreateState(2), [4, 4]);
        Assert.Equal(a.Span.ToArray(), b.Span.ToArray());
    }

    [Fact]
    public void LengthOutsideRangeIsRejected()
    {
        var layer = Make("gru");
        var input = new Tensor(3, 2, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(input, layer.CreateState(2), new Tensor(0), layer.CreateState(2), [4, 1]));
        Assert.Throws<ArgumentException>(() => layer.Forward(input, layer.CreateState(2), new Tensor(0), layer.CreateState(2), [1]));
    }

    private static void AssertClose(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= Tolerance, $"{what}[{i}]: {actual[i]} vs {expected[i]}");
    }
}
