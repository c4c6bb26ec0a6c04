using System.CommandLine;
using Recurrent.Cli;
using Recurrent.Cli.Commands;
using Recurrent.Tensors;
using Recurrent.Tests.Support;
using Recurrent.Training;
using Recurrent.Training.Checkpoints;

namespace Recurrent.Tests.Cli;

/// <summary>
/// SIGTERM sent to a real <c>recurrent lm train</c> child process: the run saves, exits with 143 and resumes
/// bit-identically; a second SIGTERM ends it at once and leaves the last checkpoint as it was.
/// </summary>
public class SignalTests
{
    private static int RunInProcess(params string[] args) =>
        CommandTree.Create().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = TextWriter.Null, Error = TextWriter.Null });

    /// <summary>A PTB-like corpus of <paramref name="trainLines"/> sentences over 30 words plus &lt;unk&gt;.</summary>
    internal static string MakeCorpus(TempDirectory dir, int trainLines)
    {
        var random = new RandomGenerator(5);
        string data = Path.Combine(dir.Path, "data");
        Directory.CreateDirectory(data);
        foreach ((string split, int lines) in new[] { ("train", trainLines), ("valid", Math.Max(40, trainLines / 8)), ("test", 40) })
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

    // Dropout and Adam, so the random stream and the optimizer slots must come back exactly too.
    private static readonly string[] Small =
        ["--preset", "test", "--hidden-size", "16", "--num-layers", "2", "--num-steps", "5", "--batch-size", "4",
         "--keep-prob", "0.8", "--optimizer", "adam", "--learning-rate", "0.01", "--epochs", "12", "--checkpoint-minutes", "600", "--no-test"];

    [LinuxFact]
    public void SigtermSavesAndTheRunResumesBitIdentically()
    {
        using var dir = new TempDirectory();
        string data = MakeCorpus(dir, 300);
        string reference = Path.Combine(dir.Path, "reference"), stopped = Path.Combine(dir.Path, "stopped");
        Assert.Equal(0, RunInProcess(["lm", "train", .. Small, "--data", data, "--run", reference]));

        using (var child = CliProcess.Start(["lm", "train", .. Small, "--data", data, "--run", stopped]))
        {
            // Mid-run: the second epoch has started, ten are left.
            Assert.True(child.WaitForOutput(line => line.StartsWith("epoch 2/12", StringComparison.Ordinal), TimeSpan.FromSeconds(60)),
                $"no progress line.\nstdout:\n{child.Output}\nstderr:\n{child.Error}");
            child.Signal(CliProcess.SIGTERM);
            Assert.Equal(143, child.Finish(TimeSpan.FromSeconds(60)));
            Assert.Contains("SIGTERM: stopping after the current step", child.Error);
            Assert.Contains($"resume with --resume {stopped}", child.Output);
        }
        Checkpoint atStop = CheckpointFile.Read(Path.Combine(stopped, Trainer.LastCheckpointName));
        TrainingPosition position = TrainingPosition.FromJson(atStop.GetMetadata(ModelCheckpoint.TrainingStateKey), "stop checkpoint");
        Assert.InRange(position.Epoch, 1, 10); // stopped mid-run, not at the end
        Assert.Empty(Directory.GetFiles(stopped, "*.tmp"));

        Assert.Equal(0, RunInProcess("lm", "train", "--resume", stopped, "--no-test"));

        Checkpoint expected = CheckpointFile.Read(Path.Combine(reference, Trainer.LastCheckpointName));
        Checkpoint actual = CheckpointFile.Read(Path.Combine(stopped, Trainer.LastCheckpointName));
        Assert.Equal(expected.Tensors.Select(t => t.Name), actual.Tensors.Select(t => t.Name));
        Assert.Contains(expected.Tensors, t => t.Name.StartsWith("optimizer/", StringComparison.Ordinal));
        foreach (NamedTensor t in expected.Tensors)
        {
            Tensor other = actual.GetTensor(t.Name);
            Assert.Equal(t.Tensor.Shape, other.Shape);
            // Bit for bit, not within a tolerance.
            Assert.True(t.Tensor.Span.SequenceEqual(other.Span), $"tensor '{t.Name}' differs after the resumed run");
        }
        var expectedEpochs = MetricsLog.Read(Path.Combine(reference, Trainer.MetricsName));
        var actualEpochs = MetricsLog.Read(Path.Combine(stopped, Trainer.MetricsName));
        Assert.Equal(12, actualEpochs.Count);
        Assert.Equal(expectedEpochs.Select(e => (e.TrainLoss, e.ValidLoss)), actualEpochs.Select(e => (e.TrainLoss, e.ValidLoss)));
    }

    [LinuxFact]
    public void SecondSigtermExitsAtOnceAndLeavesTheLastCheckpoint()
    {
        using var dir = new TempDirectory();
        string data = MakeCorpus(dir, 1200);
        string run = Path.Combine(dir.Path, "run");
        // One thread and batches of 48 × 64 steps of a 512-unit LSTM: a batch takes seconds, so the first signal
        // alone would end the run only after it; epochs of one batch, so epoch 1 leaves a checkpoint first.
        string[] heavy = ["--preset", "test", "--hidden-size", "512", "--num-steps", "64", "--batch-size", "48", "--epochs", "3",
            "--max-batches", "1", "--threads", "1", "--no-test"];
        using var child = CliProcess.Start(["lm", "train", .. heavy, "--data", data, "--run", run]);
        Assert.True(child.WaitForOutput(line => line.StartsWith("epoch 1:", StringComparison.Ordinal), TimeSpan.FromSeconds(120)),
            $"epoch 1 did not end.\nstdout:\n{child.Output}\nstderr:\n{child.Error}");
        string last = Path.Combine(run, Trainer.LastCheckpointName);
        byte[] before = File.ReadAllBytes(last);

        child.Signal(CliProcess.SIGTERM);
        Thread.Sleep(50);
        child.Signal(CliProcess.SIGTERM);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(5)), "the second SIGTERM did not end the process");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the process took {clock.Elapsed.TotalSeconds:F2} s to exit after the second SIGTERM");
        Assert.Equal(ShutdownSignals.ExitCodeOf(System.Runtime.InteropServices.PosixSignal.SIGTERM), child.ExitCode);
        Assert.Contains("SIGTERM again: exiting now", child.Error);
        Assert.DoesNotContain("resume with", child.Output); // it did not wait for the batch to save

        // The last checkpoint is whole and loads: the exit at once did not tear it. It is epoch 1's, or epoch 2's when the
        // test process was slow (on a loaded machine) to see epoch 1's line or to send the signals, so that epoch 2
        // ended and was saved first; not epoch 3's, since the run did not finish (the exit code above). When it is
        // still the file read before the signals, it is that file byte for byte.
        byte[] after = File.ReadAllBytes(last);
        LoadedCheckpoint loaded = ModelCheckpoint.Load(last);
        Assert.InRange(loaded.Position!.Epoch, 1, 2);
        if (!before.AsSpan().SequenceEqual(after))
            Assert.True(loaded.Position.Epoch == 2, $"last.ckpt changed after it was read, yet holds epoch {loaded.Position.Epoch}");
    }

    [LinuxTheory]
    [InlineData(CliProcess.SIGINT, 130, "SIGINT")]
    [InlineData(CliProcess.SIGHUP, 129, "SIGHUP")]
    public void SigintAndSighupStopLikeSigterm(int signal, int exitCode, string name)
    {
        using var dir = new TempDirectory();
        string data = MakeCorpus(dir, 300);
        string run = Path.Combine(dir.Path, "run");
        using var child = CliProcess.Start(["lm", "train", .. Small, "--data", data, "--run", run]);
        Assert.True(child.WaitForOutput(line => line.StartsWith("epoch 1/12", StringComparison.Ordinal), TimeSpan.FromSeconds(60)),
            $"no progress line.\nstdout:\n{child.Output}\nstderr:\n{child.Error}");
        child.Signal(signal);
        Assert.Equal(exitCode, child.Finish(TimeSpan.FromSeconds(60)));
        Assert.Contains($"{name}: stopping after the current step", child.Error);
        Assert.Contains($"resume with --resume {run}", child.Output);
        Assert.True(ModelCheckpoint.Load(Path.Combine(run, Trainer.LastCheckpointName)).Position!.Epoch < 12);
    }

    [Fact]
    public void ExitCodesAre128PlusTheSignalNumber()
    {
        Assert.Equal(129, ShutdownSignals.ExitCodeOf(System.Runtime.InteropServices.PosixSignal.SIGHUP));
        Assert.Equal(130, ShutdownSignals.ExitCodeOf(System.Runtime.InteropServices.PosixSignal.SIGINT));
        Assert.Equal(143, ShutdownSignals.ExitCodeOf(System.Runtime.InteropServices.PosixSignal.SIGTERM));
        Assert.Equal(130, ShutdownSignals.StoppedExitCode);
    }
}
