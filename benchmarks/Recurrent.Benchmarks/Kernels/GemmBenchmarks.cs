using BenchmarkDotNet.Attributes;
using Recurrent.Kernels;
using Recurrent.Tensors;

namespace Recurrent.Benchmarks.Kernels;

/// <summary>
/// SGEMM on the two small language-model shapes (C = A·B and its backward transposes), plus the LSTM step
/// with its weights packed once. GFLOP/s = 2·m·n·k / mean time. The whole-table view with a JSON line per shape is
/// <c>recurrent bench gemm</c>; this class is for careful A/B comparisons of kernel changes.
/// <c>dotnet run -c Release --project benchmarks/Recurrent.Benchmarks -- --filter '*GemmBenchmarks*'</c>
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];
    private PackedMatrix? _packed;

    /// <summary>Forward shape m×k·k×n: the softmax projection (20×20 tokens, 200 hidden, 10k words) and one LSTM step (batch 20, 4·200 gates).</summary>
    [Params("400x200x10000", "20x400x800")]
    public string Shape { get; set; } = "20x400x800";

    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    private int M, K, N;

    [GlobalSetup]
    public void Setup()
    {
        int[] dims = Array.ConvertAll(Shape.Split('x'), int.Parse);
        (M, K, N) = (dims[0], dims[1], dims[2]);
        var rng = new RandomGenerator(1);
        _a = new float[M * K];
        _b = new float[K * N];
        _c = new float[Math.Max(M, K) * Math.Max(N, K)];
        rng.FillUniform(_a, -1, 1);
        rng.FillUniform(_b, -1, 1);
        _packed = Gemm.Pack(false, K, N, _b, N);
        ComputeThreads.Count = Threads;
    }

    /// <summary>Forward: C (m×n) = A · B.</summary>
    [Benchmark(Baseline = true)]
    public void Nn() => Gemm.Multiply(false, false, M, N, K, 1, _a, K, _b, N, 0, _c, N);

    /// <summary>Forward with B packed once (the LSTM recurrence reuses its weights every step).</summary>
    [Benchmark]
    public void NnPackedB() => Gemm.Multiply(false, M, 1, _a, K, _packed!, 0, _c, N);

    /// <summary>Input gradient dA (m×k) = dC · Bᵀ, with _c standing in for dC (m×n).</summary>
    [Benchmark]
    public void Nt() => Gemm.Multiply(false, true, M, K, N, 1, _c, N, _b, N, 0, _a, K);

    /// <summary>Weight gradient dB (k×n) = Aᵀ · dC, accumulated (beta = 1) as over time steps; written into _b, which only this benchmark then reads.</summary>
    [Benchmark]
    public void Tn() => Gemm.Multiply(true, false, K, N, M, 1, _a, K, _c, N, 1, _b, N);
}
