using System.CommandLine;
using System.Text.Json;
using Recurrent.Cli.Commands;
using Recurrent.Tensors;
using Recurrent.Tests.Support;
using Recurrent.Training;

namespace Recurrent.Tests.Cli;

/// <summary>The <c>lm</c> commands end to end on a small generated corpus laid out like PTB.</summary>
public class LmCommandTests
{
    private static int Run(params string[] args) =>
        CommandTree.Create().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = TextWriter.Null, Error = TextWriter.Null });

    /// <summary>A corpus of sentences over 30 words plus &lt;unk&gt;, in ptb.{train,valid,test}.txt.</summary>
    private static string MakeCorpus(TempDirectory dir)
    {
        var random = new RandomGenerator(5);
        string data = Path.Combine(dir.Path, "data");
        Directory.CreateDirectory(data);
        foreach ((string split, int lines) in new[] { ("train", 300), ("valid", 40), ("test", 40) })
        {
            using var writer = new StreamWriter(Path.Combine(data, $"ptb.{split}.txt"));
            for (int l = 0; l < lines; l++)
            {
                int length = 3 + random.NextInt(8);
                writer.Write(' ');
                for (int w = 0; w < length; w++) writer.Write(random.NextInt(10) == 0 ? "<unk> " : $"w{random.NextInt(30)} ");
                writer.Write('\n');
            }
        }
        return data;
    }

    private static readonly string[] Tiny = ["--preset", "test", "--hidden-size", "8", "--num-steps", "4", "--batch-size", "4", "--epochs", "2"];

    [Fact]
    public void TrainWritesTheRunFolderAndTheModelCanBeUsed()
    {
        using var dir = new TempDirectory();
        string data = MakeCorpus(dir);
        string run = Path.Combine(dir.Path, "run");
        Assert.Equal(0, Run(["lm", "train", .. Tiny, "--data", data, "--run", run]));
        foreach (string name in (string[])["config.json", "metrics.jsonl", "curve.png", "curve.svg", "best.ckpt", "last.ckpt", "test.json"])
            Assert.True(File.Exists(Path.Combine(run, name)), $"{name} is missing from the run folder");
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        using (var test = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "test.json"))))
        {
            double perplexity = test.RootElement.GetProperty("final").GetProperty("test_perplexity").GetDouble();
            Assert.InRange(test.RootElement.GetProperty("best_on_valid").GetProperty("epoch").GetInt32(), 1, 2);
            // 31 words plus <eos>: a trained model beats the uniform guess.
            Assert.InRange(perplexity, 1, 32);
        }
        Assert.Equal(0, Run("lm", "eval", Path.Combine(run, "best.ckpt"), "--data", data, "--split", "valid"));
        Assert.Equal(0, Run("lm", "next", run, "w1 w2"));
        Assert.Equal(0, Run("lm", "generate", run, "--prime", "w1 w2", "--length", "5", "--top-k", "3", "--seed", "2"));
        Assert.Contains("--temperature", Assert.Throws<RecurrentException>(() => Run("lm", "generate", run, "--temperature", "0")).Message);
        var e = Assert.Throws<RecurrentException>(() => Run("lm", "eval", run, "--data", data, "--split", "dev"));
        Assert.Contains("--split", e.Message);
    }

    [Fact]
    public void ResumeContinuesAFinishedRunWithoutRedoingIt()
    {
        using var dir = new TempDirectory();
        string data = MakeCorpus(dir);
        string run = Path.Combine(dir.Path, "run");
        Assert.Equal(0, Run(["lm", "train", .. Tiny, "--data", data, "--run", run, "--no-test"]));
        // Resuming a finished run needs no --data (the run folder remembers it) and trains nothing more.
        Assert.Equal(0, Run("lm", "train", "--resume", run, "--no-test"));
        Assert.Equal(2, MetricsLog.Read(Path.Combine(run, "metrics.jsonl")).Count);
    }

    [Fact]
    public void UserMistakesGetClearMessages()
    {
        using var dir = new TempDirectory();
        string empty = Path.Combine(dir.Path, "empty");
        Directory.CreateDirectory(empty);
        var missing = Assert.Throws<RecurrentException>(() => Run(["lm", "train", .. Tiny, "--data", empty, "--run", Path.Combine(dir.Path, "r1")]));
        Assert.Contains("recurrent data get ptb", missing.Message);

        string data = MakeCorpus(dir);
        string config = Path.Combine(dir.Path, "config.json");
        File.WriteAllText(config, "{\"num_layer\": 3}");
        var typo = Assert.Throws<RecurrentException>(() => Run(["lm", "train", .. Tiny, "--data", data, "--config", config]));
        Assert.Contains("num_layer", typo.Message);
        Assert.Contains(config, typo.Message);

        var bad = Assert.Throws<RecurrentException>(() => Run(["lm", "train", .. Tiny, "--data", data, "--keep-prob", "1.5"]));
        Assert.Contains("keep_prob", bad.Message);

        Assert.Contains("Unknown preset", Assert.Throws<RecurrentException>(() => Run("lm", "train", "--preset", "huge", "--data", data)).Message);
        Assert.Contains("does not exist", Assert.Throws<RecurrentException>(() => Run("lm", "eval", Path.Combine(dir.Path, "nope.ckpt"), "--data", data)).Message);
    }
}
