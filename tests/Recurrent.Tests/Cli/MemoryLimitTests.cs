using System.Globalization;
using System.Text.RegularExpressions;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Cli;

/// <summary>
/// Absurd sizes given to a real <c>recurrent lm train</c> process are refused with one line before memory is touched:
/// the process's peak resident memory stays under 500 MB.
/// </summary>
/// <remarks>
/// The peak is the kernel's own figure: <c>ru_maxrss</c> of the finished child as <c>/usr/bin/time -v</c> reports it
/// ("Maximum resident set size"). Without that program, <c>VmHWM</c> in <c>/proc/PID/status</c> is polled every few
/// milliseconds until the process ends, which can only miss growth in its last moments. Resident memory does not
/// show an allocation that is never touched; MemoryEstimateTests measures the managed allocations of the same
/// refusals in-process (under 1 MB).
/// </remarks>
public partial class MemoryLimitTests
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
        string[] args = ["lm", "train", "--preset", "small", "--data", data, "--run", Path.Combine(dir.Path, "run"), option, value];
        bool timeAvailable = File.Exists("/usr/bin/time");
        using var child = CliProcess.Start(args, wrapper: timeAvailable ? ["/usr/bin/time", "-v"] : null);
        long polled = 0;
        while (!child.WaitForExit(TimeSpan.FromMilliseconds(5)))
            polled = Math.Max(polled, ReadHighWaterMark(child.Id));
        Assert.Equal(2, child.ExitCode);

        string[] errors = child.Error.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToArray();
        Assert.Single(errors);
        Assert.Contains(expected, errors[0]);
        Assert.DoesNotContain("   at ", child.Error);

        long peak = timeAvailable ? ParseMaxResident(child.Error) : polled;
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
