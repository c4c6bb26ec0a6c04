using System.CommandLine;
using Recurrent.Cli.Commands;
using Recurrent.Tests.Support;
using Recurrent.Training;

namespace Recurrent.Tests.Cli;

/// <summary>The README's first command, <c>recurrent demo reber</c>, on a shortened run.</summary>
public class DemoCommandTests
{
    private static int Run(params string[] args) =>
        CommandTree.Create().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = TextWriter.Null, Error = TextWriter.Null });

    [Fact]
    public void ReberDemoTrainsAndWritesARunFolder()
    {
        using var dir = new TempDirectory();
        string run = Path.Combine(dir.Path, "reber");
        Assert.Equal(0, Run("demo", "reber", "--strings", "200", "--epochs", "2", "--run", run));
        List<EpochReport> epochs = MetricsLog.Read(Path.Combine(run, Trainer.MetricsName));
        Assert.Equal(2, epochs.Count);
        // Eight symbols: a model that learned anything beats the uniform 3 bits per symbol.
        Assert.True(epochs[^1].ValidBitsPerToken < 3, $"valid {epochs[^1].ValidBitsPerToken} bits per symbol");
        Assert.True(File.Exists(Path.Combine(run, Trainer.BestCheckpointName)));
    }

    [Fact]
    public void TooFewStringsIsAClearError()
    {
        var e = Assert.Throws<RecurrentException>(() => Run("demo", "reber", "--strings", "10"));
        Assert.Contains("--strings", e.Message);
    }
}
