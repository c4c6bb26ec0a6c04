using Recurrent.Embeddings;
using Spectre.Console;

namespace Recurrent.Cli.Rendering;

/// <summary>
/// Shows an embedding run: a live bar (percent, learning rate, words per second, NCE loss, time left) on a terminal,
/// or a plain line every tenth of the run when the output is redirected.
/// </summary>
public sealed class ConsoleEmbeddingMonitor : IDisposable
{
    private readonly bool _interactive = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
    private readonly object _gate = new();
    private ProgressTask? _task;
    private Task? _renderLoop;
    private TaskCompletionSource? _stopRendering;
    private int _lastPlainDecile = -1;

    /// <summary>Starts the live display; call once before training.</summary>
    public void Start()
    {
        if (!_interactive) return;
        var ready = new TaskCompletionSource();
        _stopRendering = new TaskCompletionSource();
        _renderLoop = Task.Run(() => AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                lock (_gate) _task = ctx.AddTask("embed", maxValue: 1.0);
                ready.SetResult();
                await _stopRendering.Task.ConfigureAwait(false);
            }));
        ready.Task.Wait();
    }

    /// <summary>Shows <paramref name="progress"/>; called by the trainer on the calling thread.</summary>
    public void Report(EmbeddingProgress progress)
    {
        string loss = progress.Loss is { } l ? $"  loss {l:F3}" : "";
        if (_interactive)
        {
            lock (_gate)
            {
                if (_task is null) return;
                _task.Value = progress.Fraction;
                _task.Description = $"lr {progress.LearningRate:G4}  {progress.WordsPerSecond:N0} words/s{loss}";
            }
            return;
        }
        int decile = (int)(progress.Fraction * 10);
        if (decile == _lastPlainDecile) return;
        _lastPlainDecile = decile;
        string eta = progress.Remaining is { } r ? r.ToString(@"hh\:mm\:ss") : "--:--:--";
        Console.WriteLine($"{progress.Fraction,6:P1}  lr {progress.LearningRate:G4}  {progress.WordsPerSecond:N0} words/s{loss}  eta {eta}");
    }

    /// <summary>Stops the live display.</summary>
    public void Dispose()
    {
        _stopRendering?.TrySetResult();
        _renderLoop?.Wait();
    }
}
