using System.Text.Json;
using Recurrent.Cli.Rendering;
using Recurrent.Training;

namespace Recurrent.Cli.Commands;

/// <summary>
/// What the train commands share around <see cref="Trainer"/>: the run folder, <c>--resume</c>,
/// Ctrl-C, SIGTERM and SIGHUP (the first stops after the current batch and writes a resumable checkpoint, a second
/// one exits at once), and the live progress display.
/// </summary>
public static class TrainingSession
{
    private const string RunInfoName = "run.json";

    /// <summary>Exit code of a training command stopped by Ctrl-C before its end (it leaves a resumable checkpoint).</summary>
    public const int StoppedExitCode = ShutdownSignals.StoppedExitCode;

    /// <summary>The run folder: <c>--run</c>, or <c>runs/{kind}-{timestamp}</c>.</summary>
    public static string RunDirectory(string? run, string kind) =>
        Path.GetFullPath(run ?? Path.Combine("runs", $"{kind}-{DateTime.Now:yyyyMMdd-HHmmss}"));

    /// <summary>
    /// The checkpoint to resume from: <c>--resume</c> names a run folder (its last checkpoint) or a checkpoint file.
    /// </summary>
    public static LoadedCheckpoint LoadResume(string resume, string expectedKind)
    {
        string path = Directory.Exists(resume) ? Path.Combine(resume, Trainer.LastCheckpointName) : resume;
        if (!File.Exists(path))
            throw new RecurrentException($"--resume: '{resume}' is neither a run folder with {Trainer.LastCheckpointName} nor a checkpoint file.");
        LoadedCheckpoint loaded = ModelCheckpoint.Load(path);
        if (loaded.Kind != expectedKind)
            throw new RecurrentException($"--resume: {path} holds a {loaded.Kind} model, not a {expectedKind} model.");
        if (loaded.Position is null)
            throw new RecurrentException($"--resume: {path} holds weights only; resume from a run's {Trainer.LastCheckpointName}.");
        return loaded;
    }

    /// <summary>
    /// Loads a trained model from a checkpoint file or a run folder (its best checkpoint, else its last), and
    /// checks that it is of the kind the command works with.
    /// </summary>
    public static LoadedCheckpoint LoadModel(string path, string kind)
    {
        LoadedCheckpoint loaded = LoadAnyModel(path);
        if (loaded.Kind != kind)
            throw new RecurrentException($"{loaded.Path} holds a {loaded.Kind} model; use the '{CommandFor(loaded.Kind)}' commands.");
        return loaded;
    }

    /// <summary>The command group that works with a model kind.</summary>
    public static string CommandFor(string kind) => kind switch
    {
        "word" => "lm",
        "classifier" => "classify",
        "tagger" => "tag",
        _ => kind,
    };

    /// <summary>Loads a model of any kind from a checkpoint file or a run folder (its best checkpoint, else its last).</summary>
    public static LoadedCheckpoint LoadAnyModel(string path) => ModelCheckpoint.LoadFileOrRun(path);

    /// <summary>The run folder a checkpoint lives in.</summary>
    public static string RunDirectoryOf(LoadedCheckpoint checkpoint) => Path.GetDirectoryName(Path.GetFullPath(checkpoint.Path))!;

    /// <summary>
    /// What a run was started with beyond its model config: where its data came from and any per-epoch batch
    /// limit, so that <c>--resume</c> needs neither <c>--data</c> nor <c>--max-batches</c> again, and a digest of the
    /// data, so that a run is never resumed on data that changed under it.
    /// </summary>
    public sealed record RunInfo(string Data, int? MaxBatches, string? DataSha256 = null);

    public static void SaveRunInfo(string runDirectory, RunInfo info)
    {
        if (!Recurrent.Training.Distributed.Cluster.World.IsRoot) return; // under mpirun, rank 0 writes the run folder
        Directory.CreateDirectory(runDirectory);
        AtomicFile.WriteAllText(Path.Combine(runDirectory, RunInfoName), JsonSerializer.Serialize(info));
    }

    /// <summary>SHA-256 (hex) of the files, in order: what a run's data digest is made of.</summary>
    public static string Sha256Of(params string[] paths)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (string path in paths)
        {
            using FileStream stream = File.OpenRead(path);
            int read;
            while ((read = stream.Read(buffer)) > 0) hash.AppendData(buffer, 0, read);
        }
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>
    /// On resume, refuses a data digest that differs from the one the run started with (the data changed under it).
    /// </summary>
    public static void RequireSameData(RunInfo? previous, string digest, string runDirectory)
    {
        if (previous?.DataSha256 is { } recorded && recorded != digest)
            throw new RecurrentException($"The data in {previous.Data} has changed since the run {runDirectory} started (SHA-256 differs); resuming on other data would not continue the same run.");
    }

    /// <summary>The record written by <see cref="SaveRunInfo"/>, or null.</summary>
    public static RunInfo? LoadRunInfo(string runDirectory)
    {
        string path = Path.Combine(runDirectory, RunInfoName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<RunInfo>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new RecurrentException($"{path}: not a run record ({e.Message}).");
        }
    }

    /// <summary>
    /// Runs the trainer with the live display. Ctrl-C, SIGTERM or SIGHUP stop it cleanly after the current batch
    /// (a checkpoint is written and the trainer says how to resume); a second signal exits at once (<see cref="ShutdownSignals"/>).
    /// </summary>
    public static TrainingOutcome Run(Trainer trainer, ConsoleTrainingMonitor monitor)
    {
        using var signals = new ShutdownSignals();
        monitor.Info(ShutdownSignals.StopHint);
        monitor.Start();
        try
        {
            return trainer.Run(signals.Token);
        }
        finally
        {
            monitor.Dispose();
        }
    }
}
