using System.Globalization;
using System.Text.RegularExpressions;
using Recurrent.Tests.Support;
using Xunit.Abstractions;

namespace Recurrent.Tests.Cli;

/// <summary>
/// Absurd sizes given to a real <c>recurrent lm train</c>, <c>classify train</c>, <c>tag train</c> or <c>embed train</c>
/// process are refused with one line before memory is touched: the process's peak resident memory stays under 500 MB.
/// </summary>
/// <remarks>
/// The peak is the kernel's own figure: <c>ru_maxrss</c> of the finished child as <c>/usr/bin/time -v</c> reports it
/// ("Maximum resident set size"). Without that program, <c>VmHWM</c> in <c>/proc/PID/status</c> is polled every few
/// milliseconds until the process ends, which can only miss growth in its last moments. Resident memory does not
/// show an allocation that is never touched; MemoryEstimateTests and TaskMemoryEstimateTests measure the managed
/// allocations of the same refusals in-process (under 1 MB).
/// </remarks>
public partial class MemoryLimitTests(ITestOutputHelper output)
{
    private const long MaxPeakKilobytes = 500_000;

    [LinuxTheory]
    [InlineData("--hidden-size", "200000", "rnn.0.weight [400,000 × 800,000]")]
    [InlineData("--batch-size", "100000000", "would hold")]
    [InlineData("--num-steps", "1000000000", "the LSTM gates [20,000,000,000 × 800]")]
    [InlineData("--embedding-size", "1000000000", "rnn.0.weight [1,000,000,200 × 800]")]
    [InlineData("--num-layers", "100000", "This model needs")]
    [InlineData("--max-memory", "1M", "1.0 MB are available (--max-memory)")]
    public void AbsurdSizesAreRefusedBeforeMemoryIsTouched(string option, string value, string expected)
    {
        using var dir = new TempDirectory();
        string data = SignalTests.MakeCorpus(dir, 50);
        AssertRefused(["lm", "train", "--preset", "small", "--data", data, "--run", Path.Combine(dir.Path, "run"), option, value], expected);
    }

    [LinuxTheory]
    [InlineData("--hidden-size", "200000", "too large to build: rnn.0.forward.weight_hh [200,000 × 600,000]")] // the default preset: a bidirectional GRU
    [InlineData("--embedding-size", "1000000000", "too large to build: rnn.0.|[1,000,000,")]
    [InlineData("--num-layers", "100000", "This model needs|for its parameters, gradients, Adam state and activations;")]
    [InlineData("--max-memory", "1M", "1.0 MB are available (--max-memory)")]
    // Passes the first check (the smallest vocabulary, one token) and is refused once the vocabulary and the longest text are known.
    [InlineData("--embedding-size", "100000 --max-memory 4G", "This model needs|4.3 GB are available (--max-memory)|of activations (batch 64 × ")]
    public void AbsurdClassifierSizesAreRefusedBeforeMemoryIsTouched(string option, string value, string expected)
    {
        using var dir = new TempDirectory();
        string data = ClassifyCommandTests.MakeData(dir, "train.jsonl", 200, 1);
        AssertRefused(["classify", "train", "--data", data, "--run", dir.File("run"), option, .. value.Split(' ')], expected);
    }

    [LinuxTheory]
    [InlineData("--hidden-size", "200000", "too large to build: rnn.0.forward.weight [|× 800,000]")]
    [InlineData("--word-embedding-size", "2000000000", "too large to build: ")]
    [InlineData("--num-layers", "100000", "This model needs|for its parameters, gradients, Adam state and activations;")]
    [InlineData("--max-memory", "1M", "1.0 MB are available (--max-memory)")]
    // Passes the first check and is refused once the vocabularies and the longest sentence are known.
    [InlineData("--word-embedding-size", "20000 --batch-size 300 --max-memory 1G", "This model needs|1.1 GB are available (--max-memory)|of activations (batch 2")]
    public void AbsurdTaggerSizesAreRefusedBeforeMemoryIsTouched(string option, string value, string expected)
    {
        using var dir = new TempDirectory();
        string data = TagCommandTests.MakeData(dir);
        AssertRefused(["tag", "train", "--preset", "chunk", "--data", data, "--run", dir.File("run"), option, .. value.Split(' ')], expected);
    }

    [LinuxTheory]
    [InlineData("10000000", null, "too large to build: the input vectors [300 × 10,000,000]")]
    [InlineData("1000000", "1G", "This model needs 2.4 GB for its parameters, activations and tables; 1.1 GB are available (--max-memory)")]
    public void AbsurdVectorSizesAreRefusedBeforeMemoryIsTouched(string size, string? maxMemory, string expected)
    {
        using var dir = new TempDirectory();
        // 300 words, each seen 5 times (word2vec's default --min-count).
        string text = dir.File("text.txt");
        File.WriteAllLines(text, Enumerable.Range(0, 100).Select(line => string.Join(' ', Enumerable.Range(0, 15).Select(w => $"w{(line * 15 + w) % 300}"))));
        string[] args = ["embed", "train", "--text", text, "--output", dir.File("vectors.bin"), "--size", size];
        AssertRefused(maxMemory is null ? args : [.. args, "--max-memory", maxMemory], expected);
    }

    /// <summary>Runs the tool; it must exit with 2 and one error line holding every '|'-separated part of <paramref name="expected"/>, its peak resident memory under 500 MB.</summary>
    private void AssertRefused(string[] args, string expected)
    {
        bool timeAvailable = File.Exists("/usr/bin/time");
        using var child = CliProcess.Start(args, wrapper: timeAvailable ? ["/usr/bin/time", "-v"] : null);
        long polled = 0;
        while (!child.WaitForExit(TimeSpan.FromMilliseconds(5)))
            polled = Math.Max(polled, ReadHighWaterMark(child.Id));
        Assert.True(child.ExitCode == 2, $"exit code {child.ExitCode}:\n{child.Error}");

        string[] errors = child.Error.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToArray();
        Assert.Single(errors);
        foreach (string part in expected.Split('|')) Assert.Contains(part, errors[0]);
        Assert.DoesNotContain("   at ", child.Error);

        long peak = timeAvailable ? ParseMaxResident(child.Error) : polled;
        output.WriteLine($"{string.Join(' ', args.Where(a => !a.StartsWith('/')))}: peak resident {peak:N0} kB; {errors[0]}");
        Assert.True(peak > 10_000, $"implausible peak {peak} kB");
        Assert.True(peak < MaxPeakKilobytes, $"peak resident memory {peak:N0} kB");
    }

    private static long ParseMaxResident(string timeOutput)
    {
        Match m = MaxResident().Match(timeOutput);
        Assert.True(m.Success, $"no 'Maximum resident set size' in:\n{timeOutput}");
        return long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static long ReadHighWaterMark(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException) { } // the process ended between two polls
        return 0;
    }

    [GeneratedRegex(@"Maximum resident set size \(kbytes\): (\d+)")]
    private static partial Regex MaxResident();
}
