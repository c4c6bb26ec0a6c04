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

    /// <summary>
    /// A corpus of sentences over 30 words plus &lt;unk&gt;, in ptb.{train,valid,test}.txt: each word is followed by
    /// the next one in a cycle (w7 → w8) four times in five, so a model that learns anything beats the unigram guess.
    /// </summary>
    private static string MakeCorpus(TempDirectory dir)
    {
        var random = new RandomGenerator(5);
        string data = Path.Combine(dir.Path, "data");
        Directory.CreateDirectory(data);
        foreach ((string split, int lines) in new[] { ("train", 1000), ("valid", 40), ("test", 40) })
        {
            using var writer = new StreamWriter(Path.Combine(data, $"ptb.{split}.txt"));
            for (int l = 0; l < lines; l++)
            {
                int length = 3 + random.NextInt(8);
                int word = random.NextInt(30);
                writer.Write(' ');
                for (int w = 0; w < length; w++)
                {
                    writer.Write(random.NextInt(20) == 0 ? "<unk> " : $"w{word} ");
                    word = random.NextInt(5) < 4 ? (word + 1) % 30 : random.NextInt(30);
                }
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
            // The unigram model of the training file, scored on the test file, is what a model that ignores context
            // gets; two short epochs of the tiny LSTM must clearly beat it.
            double unigram = UnigramPerplexity(Path.Combine(data, "ptb.train.txt"), Path.Combine(data, "ptb.test.txt"));
            Assert.True(perplexity < 0.8 * unigram, $"test perplexity {perplexity:F2} against the unigram model's {unigram:F2}");
        }
        Assert.Equal(0, Run("lm", "eval", Path.Combine(run, "best.ckpt"), "--data", data, "--split", "valid"));
        Assert.Equal(0, Run("lm", "next", run, "w1 w2"));
        Assert.Equal(0, Run("lm", "generate", run, "--prime", "w1 w2", "--length", "5", "--top-k", "3", "--seed", "2"));
        Assert.Contains("--temperature", Assert.Throws<RecurrentException>(() => Run("lm", "generate", run, "--temperature", "0")).Message);
        var e = Assert.Throws<RecurrentException>(() => Run("lm", "eval", run, "--data", data, "--split", "dev"));
        Assert.Contains("--split", e.Message);
    }

    /// <summary>Perplexity on <paramref name="test"/> of add-one-smoothed word frequencies of <paramref name="train"/>, &lt;eos&gt; included.</summary>
    private static double UnigramPerplexity(string train, string test)
    {
        static IEnumerable<string> Words(string path) =>
            File.ReadLines(path).SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append("<eos>"));
        Dictionary<string, int> counts = Words(train).GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());
        double total = counts.Values.Sum() + counts.Count;
        double logLoss = 0;
        int n = 0;
        foreach (string w in Words(test))
        {
            logLoss -= Math.Log((counts.GetValueOrDefault(w) + 1) / total);
            n++;
        }
        return Math.Exp(logLoss / n);
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
