using Recurrent.Cli.Commands;
using Recurrent.Models;
using Recurrent.Tests.Cli;
using Recurrent.Tests.Support;
using Recurrent.Training;

namespace Recurrent.Tests.Training;

/// <summary>
/// A checkpoint that cannot be written (a full disk, a read-only file system, a file-size limit) is a clear error
/// naming the path, and the previous checkpoint stays as it was and loads.
/// </summary>
/// <remarks>
/// Tests run as root here and in CI, so permission bits stop nothing; what does: a real tmpfs of 128 KiB (where
/// mounting is allowed), and RLIMIT_FSIZE set on a child process with the shell's <c>ulimit -f</c> (everywhere on Linux).
/// </remarks>
public class FullDiskTests
{
    /// <summary>A model whose checkpoint takes about 94 KB: one fits in the tmpfs, two do not.</summary>
    private static LanguageModel Model(ulong seed) => new(new LanguageModelConfig
    {
        VocabSize = 50, HiddenSize = 48, NumLayers = 1, NumSteps = 4, BatchSize = 2, Seed = seed,
    });

    private static string Vocabulary() => new Recurrent.Data.Vocabulary(Enumerable.Range(0, 50).Select(i => "w" + i)).ToJson();

    [TmpfsFact]
    public void ACheckpointOnAFullDiskFailsAndThePreviousOneStaysLoadable()
    {
        using var disk = SmallTmpfs.Mount(128);
        string path = Path.Combine(disk.Path, "run", Trainer.LastCheckpointName);
        ModelCheckpoint.Save(path, Model(1), "word", new Dictionary<string, string> { [ModelCheckpoint.VocabularyKey] = Vocabulary() });
        byte[] previous = File.ReadAllBytes(path);
        Assert.InRange(previous.Length, 80_000, 110_000);

        // The new file would have to sit beside the old one until the rename: there is no room for both.
        var e = Assert.Throws<RecurrentException>(() => ModelCheckpoint.Save(path, Model(2), "word", new Dictionary<string, string> { [ModelCheckpoint.VocabularyKey] = Vocabulary() }));
        Assert.Contains(path, e.Message);
        Assert.Contains("No space left on device", e.Message);
        Assert.Contains("the file already there is unchanged", e.Message);
        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Equal([Trainer.LastCheckpointName], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        LoadedCheckpoint loaded = ModelCheckpoint.Load(path);
        Assert.True(loaded.LanguageModel.Parameters[0].Value.Span.SequenceEqual(Model(1).Parameters[0].Value.Span));

        disk.RemountReadOnly();
        var readOnly = Assert.Throws<RecurrentException>(() => ModelCheckpoint.Save(path, Model(2), "word", new Dictionary<string, string> { [ModelCheckpoint.VocabularyKey] = Vocabulary() }));
        Assert.Contains(path, readOnly.Message);
        Assert.Contains("Read-only file system", readOnly.Message);
        Assert.Equal(previous, File.ReadAllBytes(path));
    }

    [LinuxFact]
    public void ACheckpointPastTheFileSizeLimitStopsTheRunAndKeepsThePreviousOne()
    {
        using var dir = new TempDirectory();
        string data = SignalTests.MakeCorpus(dir, 300);
        string run = Path.Combine(dir.Path, "run");
        string[] settings = ["--preset", "test", "--hidden-size", "64", "--num-steps", "5", "--batch-size", "4", "--epochs", "12",
            "--checkpoint-minutes", "600", "--no-test"];
        // A run stopped mid-way leaves a resumable last.ckpt (about 140 KB: weights and SGD has no slots, plus the state).
        using (var first = CliProcess.Start(["lm", "train", .. settings, "--data", data, "--run", run]))
        {
            Assert.True(first.WaitForOutput(line => line.StartsWith("epoch 2/12", StringComparison.Ordinal), TimeSpan.FromSeconds(60)), first.Output + first.Error);
            first.Signal(CliProcess.SIGTERM);
            Assert.Equal(143, first.Finish(TimeSpan.FromSeconds(60)));
        }
        string last = Path.Combine(run, Trainer.LastCheckpointName);
        byte[] previous = File.ReadAllBytes(last);
        string best = Path.Combine(run, Trainer.BestCheckpointName);
        byte[] previousBest = File.ReadAllBytes(best);
        Assert.True(previous.Length > 100 * 1024, $"the checkpoint has {previous.Length} bytes; the test needs it above the 64 KiB limit");

        // Resumed under a 64 KiB file-size limit: run.json and the metrics log fit, the next checkpoint does not.
        // SIGXFSZ is ignored so that the write fails with EFBIG instead of killing the process, and the runtime's
        // W^X double mapping (a memory file larger than the limit) is turned off so that it can start at all.
        using var resumed = CliProcess.Start(["lm", "train", "--resume", run, "--no-test"],
            wrapper: ["/bin/sh", "-c", "trap '' XFSZ; ulimit -f 64; exec \"$@\"", "sh"],
            environment: new Dictionary<string, string> { ["DOTNET_EnableWriteXorExecute"] = "0" });
        Assert.Equal(2, resumed.Finish(TimeSpan.FromSeconds(60)));
        string[] errorLines = resumed.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(errorLines);
        // The epoch's first checkpoint write fails: best.ckpt when the epoch improved (it is written first), else last.ckpt.
        Assert.True(errorLines[0].StartsWith($"error: Cannot write '{last}': the file would be larger than the file-size limit", StringComparison.Ordinal)
            || errorLines[0].StartsWith($"error: Cannot write '{best}': the file would be larger than the file-size limit", StringComparison.Ordinal), errorLines[0]);
        Assert.Contains("the file already there is unchanged", errorLines[0]);
        Assert.Equal(previous, File.ReadAllBytes(last));
        Assert.Equal(previousBest, File.ReadAllBytes(best));
        Assert.Empty(Directory.GetFiles(run, "*.tmp"));
        Assert.NotNull(ModelCheckpoint.Load(last).Position);
    }
}
