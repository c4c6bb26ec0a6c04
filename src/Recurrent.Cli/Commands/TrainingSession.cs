using System.Text.Json;
using Recurrent.Cli.Rendering;
using Recurrent.Training;

namespace Recurrent.Cli.Commands;

/// <summary>
/// What the train commands share around <see cref="LanguageModelTrainer"/>: the run folder, <c>--resume</c>,
/// Ctrl-C, SIGTERM and SIGHUP (the first stops after the current batch and writes a resumable checkpoint, a second
/// one exits at once), and the live progress display.
/// </summary>
public static class TrainingSession
{
    private const string RunInfoName = "run.json";

    /// <summary>The run folder: <c>--run</c>, or <c>runs/{kind}-{timestamp}</c>.</summary>
    public static string RunDirectory(string? run, string kind) =>
        Path.GetFullPath(run ?? Path.Combine("runs", $"{kind}-{DateTime.Now:yyyyMMdd-HHmmss}"));

    /// <summary>
    /// The checkpoint to resume from: <c>--resume</c> names a run folder (its last checkpoint) or a checkpoint file.
    /// </summary>
    public static LoadedCheckpoint LoadResume(string resume, string expectedKind)
    {
        string path = Directory.Exists(resume) ? Path.Combine(resume, LanguageModelTrainer.LastCheckpointName) : resume;
        if (!File.Exists(path))
            throw new RecurrentException($"--resume: '{resume}' is neither a run folder with {LanguageModelTrainer.LastCheckpointName} nor a checkpoint file.");
        LoadedCheckpoint loaded = ModelCheckpoint.Load(path);
        if (loaded.Kind != expectedKind)
            throw new RecurrentException($"--resume: {path} holds a {loaded.Kind} model, not a {expectedKind} model.");
        if (loaded.Position is null)
            throw new RecurrentException($"--resume: {path} holds weights only; resume from a run's {LanguageModelTrainer.LastCheckpointName}.");
        return loaded;
    }

    /// <summary>
    /// Loads a trained model from a checkpoint file or a run folder (its best checkpoint, else its last), and
    /// checks that it is of the kind the command works with.
    /// </summary>
    public static LoadedCheckpoint LoadModel(string path, string kind)
    {
        if (Directory.Exists(path))
        {
            string best = Path.Combine(path, LanguageModelTrainer.BestCheckpointName);
            path = File.Exists(best) ? best : Path.Combine(path, LanguageModelTrainer.LastCheckpointName);
        }
        LoadedCheckpoint loaded = ModelCheckpoint.Load(path);
        if (loaded.Kind != kind)
            throw new RecurrentException($"{path} holds a {loaded.Kind} model; use the '{(loaded.Kind == "word" ? "lm" : loaded.Kind)}' commands.");
        return loaded;
    }

    /// <summary>The run folder a checkpoint lives in.</summary>
    public static string RunDirectoryOf(LoadedCheckpoint checkpoint) => Path.GetDirectoryName(Path.GetFullPath(checkpoint.Path))!;

    /// <summary>
    /// What a run was started with beyond its model config: where its data came from and any per-epoch batch
    /// limit, so that <c>--resume</c> needs neither <c>--data</c> nor <c>--max-batches</c> again.
    /// </summary>
    public sealed record RunInfo(string Data, int? MaxBatches);

    public static void SaveRunInfo(string runDirectory, RunInfo info)
    {
        Directory.CreateDirectory(runDirectory);
        File.WriteAllText(Path.Combine(runDirectory, RunInfoName), JsonSerializer.Serialize(info));
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
    public static TrainingOutcome Run(LanguageModelTrainer trainer, ConsoleTrainingMonitor monitor)
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
