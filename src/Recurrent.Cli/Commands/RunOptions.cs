using System.CommandLine;
using Recurrent.Training;

namespace Recurrent.Cli.Commands;

/// <summary>
/// The run options every train command shares: <c>--run</c>, <c>--resume</c>, <c>--max-batches</c> and
/// <c>--checkpoint-minutes</c>, and how they resolve into a run folder, a checkpoint to resume and a batch limit.
/// </summary>
public sealed class RunOptions
{
    private readonly string _kind;

    /// <param name="kind">The model kind ("word" or "char"): names the default run folder and is checked on resume.</param>
    public RunOptions(string kind)
    {
        _kind = kind;
        Run = new Option<string?>("--run") { Description = $"Run folder for config, metrics, plot and checkpoints (default: runs/{kind}-TIMESTAMP)." };
    }

    public Option<string?> Run { get; }
    public Option<string?> Resume { get; } = new("--resume") { Description = "Continue a stopped run: its folder or a last.ckpt." };
    public Option<int?> MaxBatches { get; } = new("--max-batches") { Description = "Limit every epoch (and evaluation) to N batches: a quick check of the plumbing." };
    public Option<double> CheckpointMinutes { get; } = new("--checkpoint-minutes") { Description = "Minutes between periodic checkpoints within an epoch.", DefaultValueFactory = _ => 5 };
    public Option<bool> Force { get; } = new("--force") { Description = "Start a new run in a --run folder that holds an earlier run, deleting that run's checkpoints and logs." };

    public void AddTo(Command command)
    {
        command.Options.Add(Run);
        command.Options.Add(Resume);
        command.Options.Add(MaxBatches);
        command.Options.Add(CheckpointMinutes);
        command.Options.Add(Force);
    }

    /// <summary>
    /// On resume the run's own settings hold: refuses any of <paramref name="fixedOptions"/> that was given
    /// (only <c>--epochs</c>, <c>--max-batches</c>, <c>--checkpoint-minutes</c> and <c>--threads</c> may change).
    /// </summary>
    public static void RejectOnResume(ParseResult result, IEnumerable<Option> fixedOptions)
    {
        foreach (Option option in fixedOptions)
            if (result.GetResult(option) is { Implicit: false })
                throw new RecurrentException($"{option.Name} cannot change when resuming: the run keeps the settings it started with. " +
                    "Only --epochs, --max-batches, --checkpoint-minutes and --threads apply to a resumed run; start a new run to change the others.");
    }

    /// <summary>
    /// The checkpoint to resume (or null for a new run), the run folder, what the run recorded when it started
    /// (null for a new run), and the per-epoch batch limit (<c>--max-batches</c>, else the one the run was started with).
    /// </summary>
    public (LoadedCheckpoint? Loaded, string RunDirectory, TrainingSession.RunInfo? Previous, int? Limit) Resolve(ParseResult result)
    {
        string? resumeFrom = result.GetValue(Resume);
        if (resumeFrom is not null && result.GetResult(Run) is { Implicit: false })
            throw new RecurrentException("--run and --resume cannot be used together: a resumed run stays in its own folder.");
        if (resumeFrom is not null && result.GetValue(Force))
            throw new RecurrentException("--force starts a new run; it cannot be used with --resume.");
        LoadedCheckpoint? loaded = resumeFrom is null ? null : TrainingSession.LoadResume(resumeFrom, _kind);
        string runDirectory = loaded is not null ? TrainingSession.RunDirectoryOf(loaded) : TrainingSession.RunDirectory(result.GetValue(Run), _kind);
        TrainingSession.RunInfo? previous = loaded is null ? null : TrainingSession.LoadRunInfo(runDirectory);
        int? limit = result.GetValue(MaxBatches) ?? previous?.MaxBatches;
        if (limit is < 1) throw new RecurrentException($"--max-batches must be at least 1, got {limit}.");
        return (loaded, runDirectory, previous, limit);
    }

    public TimeSpan CheckpointInterval(ParseResult result)
    {
        double minutes = result.GetValue(CheckpointMinutes);
        if (!(minutes > 0)) throw new RecurrentException($"--checkpoint-minutes must be positive, got {minutes}.");
        return TimeSpan.FromMinutes(minutes);
    }
}
