using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recurrent.Kernels;

/// <summary>
/// The timing loops behind <c>recurrent bench gemm</c> and <c>recurrent bench fma</c>: GEMM throughput on the
/// shapes of the language models, and the FMA peak it is judged against.
/// </summary>
/// <remarks>
/// Each measurement warms up, then takes <c>repeat</c> samples, each as many calls as fill at least
/// <see cref="SampleSeconds"/>, and reports the median sample: robust against other processes stealing the
/// CPU for part of the run.
/// </remarks>
internal static class GemmBenchmark
{
    /// <summary>Minimum duration of one timing sample.</summary>
    public const double SampleSeconds = 0.05;

    /// <summary>One GEMM to time: op(A) (m×k) · op(B) (k×n); <paramref name="Op"/> is "nn", "tn" or "nt".</summary>
    public readonly record struct Case(string Op, int M, int N, int K);

    /// <summary>
    /// The forward products C = A·B of the benchmark models and their backward transposes:
    /// dA = dC·Bᵀ ("nt": m, n = k, k = n) and dB = Aᵀ·dC ("tn": m = k, n, k = m).
    /// Small: 400×200·200×10000 (softmax layer, 20×20 tokens, 200 hidden, 10k words) and 20×400·400×800
    /// (one LSTM step, batch 20, 200 hidden: [x, h] · W for 4 gates). Medium: 700×650·650×10000 and 20×1300·1300×2600.
    /// </summary>
    public static IReadOnlyList<Case> StandardCases(bool small = true, bool medium = true)
    {
        var forward = new List<(int m, int k, int n)>();
        if (small)
        {
            forward.Add((400, 200, 10000));
            forward.Add((20, 400, 800));
        }
        if (medium)
        {
            forward.Add((700, 650, 10000));
            forward.Add((20, 1300, 2600));
        }
        var cases = new List<Case>();
        foreach (var (m, k, n) in forward)
        {
            cases.Add(new Case("nn", m, n, k));
            cases.Add(new Case("nt", m, k, n));
            cases.Add(new Case("tn", k, n, m));
        }
        return cases;
    }

    /// <summary>
    /// Median GFLOP/s (2·m·n·k per call) of C = op(A)·op(B) on <see cref="ComputeThreads.Count"/> threads.
    /// With <paramref name="packedB"/> op(B) is packed once up front (<see cref="Gemm.Pack"/>), as the LSTM recurrence does.
    /// </summary>
    public static double Measure(Case c, int repeat, bool packedB = false)
    {
        if (c.Op is not ("nn" or "tn" or "nt" or "tt")) throw new ArgumentException($"Unknown op '{c.Op}'; expected nn, tn, nt or tt.", nameof(c));
        bool ta = c.Op[0] == 't', tb = c.Op[1] == 't';
        var rng = new Tensors.RandomGenerator(1);
        var a = new float[c.M * c.K];
        var b = new float[c.K * c.N];
        var result = new float[c.M * c.N];
        rng.FillUniform(a, -1, 1);
        rng.FillUniform(b, -1, 1);
        int lda = ta ? c.M : c.K, ldb = tb ? c.K : c.N;
        PackedMatrix? packed = packedB ? Gemm.Pack(tb, c.K, c.N, b, ldb) : null;

        void Call()
        {
            if (packed != null) Gemm.Multiply(ta, c.M, 1, a, lda, packed, 0, result, c.N);
            else Gemm.Multiply(ta, tb, c.M, c.N, c.K, 1, a, lda, b, ldb, 0, result, c.N);
        }

        double flops = 2.0 * c.M * c.N * c.K;
        return flops / Median(repeat, Call) / 1e9;
    }

    /// <summary>
    /// Peak multiply-add throughput in GFLOP/s of <paramref name="threads"/> threads, each running a loop of
    /// independent FMAs on 12 accumulators of the widest accelerated vector (zmm with AVX-512): no loads, no
    /// dependencies longer than the FMA latency, so both FMA pipes stay busy. 2 flops per lane per FMA.
    /// </summary>
    public static double MeasureFmaPeak(int threads, int repeat)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        const int Iterations = 2_000_000;
        int lanes = Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? 16 : Fma.IsSupported ? 8 : 1;
        double flopsPerThread = 2.0 * lanes * 12 * Iterations;
        double sink = 0;
        var samples = new double[repeat];
        for (int r = -1; r < repeat; r++)
        {
            using var start = new Barrier(threads + 1);
            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                workers[t] = new Thread(() =>
                {
                    start.SignalAndWait();
                    float s = lanes == 16 ? Fma512(Iterations) : lanes == 8 ? Fma256(Iterations) : FmaScalar(Iterations);
                    Interlocked.Exchange(ref sink, s);
                }) { IsBackground = true };
                workers[t].Start();
            }
            start.SignalAndWait();
            long t0 = Stopwatch.GetTimestamp();
            foreach (var w in workers) w.Join();
            double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (r >= 0) samples[r] = threads * flopsPerThread / seconds / 1e9;
        }
        GC.KeepAlive(sink);
        Array.Sort(samples);
        return samples[repeat / 2];
    }

    /// <summary>One JSON line in the shared benchmark format.</summary>
    public static string ToJson(Case c, int threads, double gflops, bool packedB = false)
        => string.Create(CultureInfo.InvariantCulture,
            $"{{\"bench\":\"gemm\",\"m\":{c.M},\"n\":{c.N},\"k\":{c.K},\"op\":\"{c.Op}\",\"threads\":{threads},\"gflops\":{gflops:F1}{(packedB ? ",\"packedB\":true" : "")}}}");

    /// <summary>Median seconds per call: warm-up, then <paramref name="repeat"/> samples of at least <see cref="SampleSeconds"/>.</summary>
    private static double Median(int repeat, Action call)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeat, 1);
        long warmEnd = Stopwatch.GetTimestamp() + (long)(0.2 * Stopwatch.Frequency);
        do call(); while (Stopwatch.GetTimestamp() < warmEnd);

        var samples = new double[repeat];
        for (int r = 0; r < repeat; r++)
        {
            int calls = 0;
            long t0 = Stopwatch.GetTimestamp(), t1;
            do
            {
                call();
                calls++;
                t1 = Stopwatch.GetTimestamp();
            }
            while (t1 - t0 < SampleSeconds * Stopwatch.Frequency);
            samples[r] = (double)(t1 - t0) / Stopwatch.Frequency / calls;
        }
        Array.Sort(samples);
        return samples[repeat / 2];
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Fma512(int iterations)
    {
        Vector512<float> x = Vector512.Create(0.999999f), y = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        Vector512<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, x, y); a1 = Avx512F.FusedMultiplyAdd(a1, x, y);
            a2 = Avx512F.FusedMultiplyAdd(a2, x, y); a3 = Avx512F.FusedMultiplyAdd(a3, x, y);
            a4 = Avx512F.FusedMultiplyAdd(a4, x, y); a5 = Avx512F.FusedMultiplyAdd(a5, x, y);
            a6 = Avx512F.FusedMultiplyAdd(a6, x, y); a7 = Avx512F.FusedMultiplyAdd(a7, x, y);
            a8 = Avx512F.FusedMultiplyAdd(a8, x, y); a9 = Avx512F.FusedMultiplyAdd(a9, x, y);
            a10 = Avx512F.FusedMultiplyAdd(a10, x, y); a11 = Avx512F.FusedMultiplyAdd(a11, x, y);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Fma256(int iterations)
    {
        Vector256<float> x = Vector256.Create(0.999999f), y = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        Vector256<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, x, y); a1 = Fma.MultiplyAdd(a1, x, y);
            a2 = Fma.MultiplyAdd(a2, x, y); a3 = Fma.MultiplyAdd(a3, x, y);
            a4 = Fma.MultiplyAdd(a4, x, y); a5 = Fma.MultiplyAdd(a5, x, y);
            a6 = Fma.MultiplyAdd(a6, x, y); a7 = Fma.MultiplyAdd(a7, x, y);
            a8 = Fma.MultiplyAdd(a8, x, y); a9 = Fma.MultiplyAdd(a9, x, y);
            a10 = Fma.MultiplyAdd(a10, x, y); a11 = Fma.MultiplyAdd(a11, x, y);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    private static float FmaScalar(int iterations)
    {
        float a = 1;
        for (int i = 0; i < iterations * 12; i++) a = MathF.FusedMultiplyAdd(a, 0.999999f, 1e-7f);
        return a;
    }
}
