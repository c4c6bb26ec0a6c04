using Recurrent.Kernels;
using Recurrent.Layers;
using Recurrent.Tensors;

namespace Recurrent.Tests.Layers;

/// <summary>
/// After the first batch has sized every buffer, Forward + Backward of the same shapes must not allocate.
/// </summary>
/// <remarks>
/// Measured with GC.GetAllocatedBytesForCurrentThread, i.e. on the calling thread only. ComputeThreads is left at
/// its setting; with these small shapes the kernels are expected to run on the calling thread. If a parallel
/// GEMM dispatches to the thread pool, allocations made on pool threads are not counted here.
/// </remarks>
public class AllocationTests
{
    public static TheoryData<string> Layers => new() { "lstm", "lstm-peephole", "gru", "rnn", "stacked-dropout", "bidirectional" };

    private static IRecurrentLayer Make(string kind, out RandomGenerator dropoutRandom)
    {
        var r = new RandomGenerator(1);
        dropoutRandom = new RandomGenerator(2);
        return kind switch
        {
            "lstm" => new Lstm("l", 8, 20, r, 0.1f),
            "lstm-peephole" => new Lstm("l", 8, 20, r, 0.1f, 0f, usePeepholes: true),
            "gru" => new Gru("g", 8, 20, r, 0.1f),
            "rnn" => new SimpleRnn("r", 8, 20, r, 0.1f),
            "stacked-dropout" => new StackedRecurrent([new Lstm("a", 8, 20, r, 0.1f), new Gru("b", 20, 20, r, 0.1f), new Lstm("c", 20, 20, r, 0.1f)], 0.7f, dropoutRandom, variationalDropout: false),
            "bidirectional" => new Bidirectional(new Lstm("f", 8, 20, r, 0.1f), new Gru("b", 8, 20, r, 0.1f)),
            _ => throw new ArgumentException(kind),
        };
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void SecondBatchAllocatesNothing(string kind)
    {
        var layer = Make(kind, out _);
        int T = 7, B = 5;
        int[] lengths = [7, 3, 0, 5, 7];
        var input = new Tensor(T, B, layer.InputSize);
        new RandomGenerator(3).FillUniform(input.Span, -1, 1);
        var state = layer.CreateState(B);
        var output = new Tensor(0);
        var outputGradient = new Tensor(T, B, layer.OutputSize);
        outputGradient.Fill(0.1f);
        var finalGradient = layer.CreateState(B);
        var inputGradient = new Tensor(0);
        var initialGradient = layer.CreateState(B);

        void Step(ReadOnlySpan<int> len)
        {
            // final = initial (the truncated-BPTT pattern: carry the state into the next batch).
            layer.Forward(input, state, output, state, len);
            layer.Backward(outputGradient, finalGradient, inputGradient, initialGradient);
        }
        Step(lengths);
        Step(default);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step(lengths);
        Step(default);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
