using System.Text.Json;
using Recurrent.Cli.Rendering;
using Recurrent.Training;

namespace Recurrent.Cli.Commands;

/// <summary>
/// What the train commands share around <see cref="LanguageModelTrainer"/>: the run folder, <c>--resume</c>,
/// Ctrl-C (the first stops after the current batch and writes a resumable checkpoint, a second one kills),
/// and the live progress display.
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

    /// <summary>The run folder a checkpoint lives in.</summary>
    public static string RunDirectoryOf(LoadedCheckpoint checkpoint) => Path.GetDirectoryName(Path.GetFullPath(checkpoint.Path))!;

    /// <summary>Remembers where a run's data came from, so that <c>--resume</c> needs no <c>--data</c>.</summary>
    public static void SaveRunInfo(string runDirectory, string dataSource)
    {
        Directory.CreateDirectory(runDirectory);
        File.WriteAllText(Path.Combine(runDirectory, RunInfoName), JsonSerializer.Serialize(new Dictionary<string, string> { ["data"] = dataSource }));
    }

    /// <summary>The data source recorded by <see cref="SaveRunInfo"/>, or null.</summary>
    public static string? LoadRunInfo(string runDirectory)
    {
        string path = Path.Combine(runDirectory, RunInfoName);
        if (!File.Exists(path)) return null;
        var info = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path));
        return info is not null && info.TryGetValue("data", out string? data) ? data : null;
    }

    /// <summary>Runs the trainer with the live display; Ctrl-C stops it cleanly.</summary>
    public static TrainingOutcome Run(LanguageModelTrainer trainer, ConsoleTrainingMonitor monitor)
    {
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (stop.IsCancellationRequested) return; // second Ctrl-C: let the process die
            e.Cancel = true;
            stop.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            monitor.Start();
            try
            {
                return trainer.Run(stop.Token);
            }
            finally
            {
                monitor.Dispose();
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
