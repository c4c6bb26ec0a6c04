using System.CommandLine;
using System.Globalization;
using Recurrent.Kernels;

namespace Recurrent.Cli.Commands;

/// <summary>
/// <c>recurrent bench</c>: throughput measurements, one JSON object per line on stdout.
/// Each benchmark is a subcommand (<c>gemm</c>, <c>fma</c>); the timing loops live in the library.
/// </summary>
public static class BenchCommand
{
    /// <summary><c>--repeat R</c>: timing samples per measurement (the median is reported).</summary>
    public static readonly Option<int> Repeat = new("--repeat")
    {
        Description = "Timing samples per measurement; the median is reported.",
        DefaultValueFactory = _ => 7,
        Recursive = true,
    };

    public static Command Create()
    {
        var bench = new Command("bench", "Measure throughput; prints one JSON object per line.");
        bench.Options.Add(Repeat);
        bench.Subcommands.Add(CreateGemm());
        bench.Subcommands.Add(CreateFma());
        return bench;
    }

    private static int GetRepeat(ParseResult result)
    {
        int repeat = result.GetValue(Repeat);
        if (repeat < 1) throw new RecurrentException($"--repeat must be at least 1, got {repeat}.");
        return repeat;
    }

    /// <summary>
    /// <c>recurrent bench gemm [--threads N] [--repeat R] [--size small|medium|all] [--packed]</c>:
    /// GFLOP/s of the model-shaped products and their backward transposes (see <see cref="GemmBenchmark.StandardCases"/>).
    /// </summary>
    private static Command CreateGemm()
    {
        var size = new Option<string>("--size")
        {
            Description = "Which shapes: small, medium or all.",
            DefaultValueFactory = _ => "all",
        };
        size.AcceptOnlyFromAmong("small", "medium", "all");
        var packed = new Option<bool>("--packed")
        {
            Description = "Also time nn and nt with op(B) packed once up front (Gemm.Pack), as the LSTM recurrence uses it; these lines carry \"packedB\":true.",
        };
        var gemm = new Command("gemm", "GEMM GFLOP/s on the language-model shapes (nn forward, nt and tn backward).");
        gemm.Options.Add(size);
        gemm.Options.Add(packed);
        gemm.SetAction(result =>
        {
            CommandTree.ApplyCommon(result);
            int repeat = GetRepeat(result);
            string which = result.GetValue(size)!;
            bool withPacked = result.GetValue(packed);
            foreach (GemmBenchmark.Case c in GemmBenchmark.StandardCases(which is "small" or "all", which is "medium" or "all"))
            {
                Console.WriteLine(GemmBenchmark.ToJson(c, ComputeThreads.Count, GemmBenchmark.Measure(c, repeat)));
                if (withPacked && c.Op != "tn")
                    Console.WriteLine(GemmBenchmark.ToJson(c, ComputeThreads.Count, GemmBenchmark.Measure(c, repeat, packedB: true), packedB: true));
            }
            return 0;
        });
        return gemm;
    }

    /// <summary>
    /// <c>recurrent bench fma [--threads N] [--repeat R]</c>: the vector FMA peak for 1, 2, … N threads,
    /// the yardstick for GEMM efficiency.
    /// </summary>
    private static Command CreateFma()
    {
        var fma = new Command("fma", "Peak FMA GFLOP/s (independent Vector512 FMAs on 12 accumulators) for 1..N threads.");
        fma.SetAction(result =>
        {
            CommandTree.ApplyCommon(result);
            int repeat = GetRepeat(result);
            for (int t = 1; t <= ComputeThreads.Count; t++)
            {
                double gflops = GemmBenchmark.MeasureFmaPeak(t, repeat);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"bench\":\"fma\",\"threads\":{t},\"gflops\":{gflops:F1}}}"));
            }
            return 0;
        });
        return fma;
    }
}
