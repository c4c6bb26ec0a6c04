using System.Text.Json;
using Recurrent.Tensors;
using Recurrent.Tests.Support;
using Recurrent.Training;

namespace Recurrent.Tests.Cli;

/// <summary>
/// <c>mpirun -np 2 recurrent lm train …</c> on real processes: two ranks train as one process does on the same global
/// batch, rank 0 alone prints and tests, and a rank that fails ends the whole job with its message.
/// </summary>
public sealed class MpiTrainingTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>A PTB-like corpus over 30 words: each word is followed by the next one in a cycle four times in five.</summary>
    private static string MakeCorpus(TempDirectory dir)
    {
        var random = new RandomGenerator(5);
        string data = dir.File("data");
        Directory.CreateDirectory(data);
        foreach ((string split, int lines) in new[] { ("train", 300), ("valid", 40), ("test", 40) })
        {
            using var writer = new StreamWriter(Path.Combine(data, $"ptb.{split}.txt"));
            for (int l = 0; l < lines; l++)
            {
                int word = random.NextInt(30);
                writer.Write(' ');
                for (int w = 3 + random.NextInt(8); w > 0; w--)
                {
                    writer.Write($"w{word} ");
                    word = random.NextInt(5) < 4 ? (word + 1) % 30 : random.NextInt(30);
                }
                writer.Write('\n');
            }
        }
        return data;
    }

    /// <summary>50 Adam steps (5 epochs of 10 batches) of a small LSTM with dropout, 4 streams per batch, one compute thread per process.</summary>
    private static string[] Arguments(string data, string run) =>
        ["lm", "train", "--preset", "test", "--hidden-size", "16", "--num-steps", "5", "--batch-size", "4", "--keep-prob", "0.8",
         "--epochs", "5", "--max-batches", "10", "--max-epoch", "5", "--max-grad-norm", "5", "--optimizer", "adam", "--learning-rate", "0.02", "--threads", "1", "--data", data, "--run", run];

    [MpiFact]
    public void TwoRanksTrainAsOneProcessAndOnlyRankZeroReports()
    {
        using var dir = new TempDirectory();
        string data = MakeCorpus(dir);
        using CliProcess single = CliProcess.Start(Arguments(data, dir.File("single")));
        using CliProcess parallel = CliProcess.Start(Arguments(data, dir.File("parallel")), wrapper: Mpi.Launcher(2));
        Assert.True(single.Finish(Limit) == 0, $"one process failed:\n{single.Output}\n{single.Error}");
        Assert.True(parallel.Finish(Limit) == 0, $"mpirun failed:\n{parallel.Output}\n{parallel.Error}");

        string output = parallel.Output;
        Assert.Contains("Training on 2 processes", output);
        Assert.Single(output.Split('\n'), line => line.StartsWith("Word LM", StringComparison.Ordinal)); // rank 1 prints nothing
        Assert.Single(output.Split('\n'), line => line.StartsWith("test perplexity", StringComparison.Ordinal) && line.Contains("final model"));
        Assert.Contains(output.Split('\n'), line => line.StartsWith("allreduce: 10 steps", StringComparison.Ordinal));

        (double Train, double Valid)[] expected = Losses(dir.File("single")), actual = Losses(dir.File("parallel"));
        Assert.Equal(5, expected.Length);
        Assert.Equal(expected.Length, actual.Length);
        for (int e = 0; e < expected.Length; e++)
        {
            AssertClose(expected[e].Train, actual[e].Train, $"epoch {e + 1} train loss");
            AssertClose(expected[e].Valid, actual[e].Valid, $"epoch {e + 1} valid loss");
        }
        Assert.True(expected[^1].Train < expected[0].Train - 0.3, $"the model did not train: train losses {string.Join(", ", expected.Select(l => l.Train))}"); // a test that any two equal runs would pass proves nothing
        AssertClose(TestLoss(dir.File("single")), TestLoss(dir.File("parallel")), "test loss");

        var a = ModelCheckpoint.Load(Path.Combine(dir.File("single"), Trainer.LastCheckpointName)).Model.Parameters;
        var b = ModelCheckpoint.Load(Path.Combine(dir.File("parallel"), Trainer.LastCheckpointName)).Model.Parameters;
        for (int p = 0; p < a.Count; p++)
        for (int i = 0; i < a[p].Value.Length; i++)
            Assert.True(Math.Abs(a[p].Value[i] - b[p].Value[i]) <= 1e-5 * Math.Max(1, Math.Abs(a[p].Value[i])),
                $"{a[p].Name}[{i}]: one process {a[p].Value[i]:R}, two ranks {b[p].Value[i]:R}");
    }

    [MpiFact]
    public void ARankThatFailsEndsTheWholeJobWithItsMessage()
    {
        using var dir = new TempDirectory();
        string data = MakeCorpus(dir);
        // Rank 1 alone gets a bad option; rank 0 starts normally and would wait for it forever in its first collective call.
        string[] wrapper = [.. Mpi.Launcher(2), "sh", "-c", "if [ \"$OMPI_COMM_WORLD_RANK\" = 1 ]; then exec \"$@\" --checkpoint-minutes 0; else exec \"$@\"; fi", "sh"];
        using CliProcess job = CliProcess.Start(Arguments(data, dir.File("run")), wrapper);
        int code = job.Finish(Limit);
        string said = $"stdout:\n{job.Output}\nstderr:\n{job.Error}";
        Assert.True(code == 2, $"exit code {code}\n{said}");
        Assert.True(job.Error.Contains("--checkpoint-minutes must be positive", StringComparison.Ordinal), said);
    }

    private static (double Train, double Valid)[] Losses(string run) =>
        File.ReadAllLines(Path.Combine(run, Trainer.MetricsName)).Select(line =>
        {
            using var json = JsonDocument.Parse(line);
            return (json.RootElement.GetProperty("train_loss").GetDouble(), json.RootElement.GetProperty("valid_loss").GetDouble());
        }).ToArray();

    private static double TestLoss(string run)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "test.json")));
        return json.RootElement.GetProperty("final").GetProperty("test_loss").GetDouble();
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-5 * Math.Abs(expected), $"{what}: one process {expected:R}, two ranks {actual:R}");
}
