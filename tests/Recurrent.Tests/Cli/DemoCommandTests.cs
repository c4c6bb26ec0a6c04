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
        Assert.Equal(0, Run("demo", "reber", "--strings", "800", "--epochs", "3", "--run", run));
        List<EpochReport> epochs = MetricsLog.Read(Path.Combine(run, Trainer.MetricsName));
        Assert.Equal(3, epochs.Count);
        // The validation strings' own symbol frequencies give what a model without context can reach at best;
        // two short epochs must already use the grammar to do clearly better.
        Recurrent.Data.Vocabulary vocabulary = Recurrent.Models.ReberTask.CreateVocabulary();
        ulong seed = Recurrent.Models.ReberTask.DefaultConfig(vocabulary).Seed;
        int[] valid = Recurrent.Models.ReberTask.GenerateTokens(200, seed + 1, vocabulary);
        double unigramBits = valid.GroupBy(t => t).Sum(g => -(double)g.Count() / valid.Length * Math.Log2((double)g.Count() / valid.Length));
        Assert.True(epochs[^1].ValidBitsPerToken < 0.8 * unigramBits, $"valid {epochs[^1].ValidBitsPerToken:F3} bits per symbol against the unigram entropy {unigramBits:F3}");
        Assert.True(File.Exists(Path.Combine(run, Trainer.BestCheckpointName)));
    }

    [Fact]
    public void TooFewStringsIsAClearError()
    {
        var e = Assert.Throws<RecurrentException>(() => Run("demo", "reber", "--strings", "10"));
        Assert.Contains("--strings", e.Message);
    }
}
