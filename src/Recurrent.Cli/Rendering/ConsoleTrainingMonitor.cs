using Recurrent.Training;
using Spectre.Console;

namespace Recurrent.Cli.Rendering;

/// <summary>
/// Shows a training run: a live progress bar per epoch (percent, running perplexity, tokens per second, ETA)
/// on a terminal, or the IBM notebook's plain progress lines every tenth of an epoch when the output is
/// redirected; a line per finished epoch either way.
/// </summary>
public sealed class ConsoleTrainingMonitor : ITrainingMonitor, IDisposable
{
    private readonly TaskPresentation _presentation;
    private readonly string _tokenName;
    private readonly bool _interactive;
    private readonly object _gate = new();
    private ProgressContext? _context;
    private ProgressTask? _task;
    private int _taskEpoch = -1;
    private int _lastPlainDecile = -1;
    private Task? _renderLoop;
    private TaskCompletionSource? _stopRendering;

    /// <param name="presentation">How the task's numbers are named and shown.</param>
    public ConsoleTrainingMonitor(TaskPresentation presentation)
    {
        _presentation = presentation;
        _tokenName = presentation.ItemName;
        _interactive = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
    }

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
                lock (_gate) _context = ctx;
                ready.SetResult();
                await _stopRendering.Task.ConfigureAwait(false);
            }));
        ready.Task.Wait();
    }

    public void Info(string message)
    {
        if (_interactive) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(message)}[/]");
        else Console.WriteLine(message);
    }

    public void Batch(BatchReport report)
    {
        string measure = _presentation.Loss switch
        {
            LossDisplay.Perplexity => $"perplexity {report.Perplexity:F2}",
            LossDisplay.Bits => $"bpc {report.Loss / Math.Log(2):F3}",
            _ => $"loss {report.Loss:F4}",
        };
        if (_interactive && _context is not null)
        {
            lock (_gate)
            {
                if (_task is null || _taskEpoch != report.Epoch)
                {
                    _task?.StopTask();
                    _task = _context.AddTask($"epoch {report.Epoch + 1}/{report.EpochCount}", maxValue: report.BatchCount);
                    _taskEpoch = report.Epoch;
                }
                _task.Value = report.Batch;
                _task.Description = $"epoch {report.Epoch + 1}/{report.EpochCount}  lr {report.LearningRate:G4}  {measure}  {report.TokensPerSecond:N0} {_tokenName}/s";
            }
            return;
        }
        // The notebook prints at every tenth of an epoch: "0.004 perplexity: 5220.213 speed: 7635 wps".
        int decile = (int)(report.Fraction * 10);
        if (report.Epoch != _taskEpoch) { _taskEpoch = report.Epoch; _lastPlainDecile = -1; }
        if (decile == _lastPlainDecile || decile == 10) return;
        _lastPlainDecile = decile;
        Console.WriteLine($"epoch {report.Epoch + 1}/{report.EpochCount} {report.Fraction,6:P1} {measure} speed: {report.TokensPerSecond:N0} {_tokenName}/s eta {report.Remaining:hh\\:mm\\:ss}");
    }

    public void Epoch(EpochReport report)
    {
        if (_interactive)
            lock (_gate) { if (_task is not null) { _task.Value = _task.MaxValue; _task.StopTask(); } }
        string line = _presentation.Loss switch
        {
            LossDisplay.Bits => $"epoch {report.Epoch}: lr {report.LearningRate:G4}  train {report.TrainBitsPerToken:F3} bpc ({report.TrainLoss:F3} nats)  valid {report.ValidBitsPerToken:F3} bpc ({report.ValidLoss:F3} nats)  {report.TrainTokensPerSecond:N0} {_tokenName}/s  {report.Seconds:F0} s",
            LossDisplay.Perplexity => $"epoch {report.Epoch}: lr {report.LearningRate:G4}  train perplexity {report.TrainPerplexity:F2}  valid perplexity {report.ValidPerplexity:F2}  {report.TrainTokensPerSecond:N0} {_tokenName}/s  {report.Seconds:F0} s",
            _ => $"epoch {report.Epoch}: lr {report.LearningRate:G4}  train loss {report.TrainLoss:F4}  valid loss {report.ValidLoss:F4}{Metrics(report)}  {report.TrainTokensPerSecond:N0} {_tokenName}/s  {report.Seconds:F0} s",
        };
        if (_interactive) AnsiConsole.MarkupLine(Markup.Escape(line));
        else Console.WriteLine(line);
    }

    private string Metrics(EpochReport report)
    {
        var text = new System.Text.StringBuilder();
        foreach (string metric in _presentation.Metrics) text.Append($"  valid {metric.Replace('_', ' ')} {report.Valid(metric):F4}");
        return text.ToString();
    }

    /// <summary>Stops the live display.</summary>
    public void Dispose()
    {
        _stopRendering?.TrySetResult();
        _renderLoop?.Wait();
    }

    /// <summary>Prints the per-epoch table at the end of a run.</summary>
    public void PrintSummary(IReadOnlyList<EpochReport> epochs)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("epoch");
        table.AddColumn("lr");
        string shown = _presentation.Loss switch { LossDisplay.Perplexity => "ppl", LossDisplay.Bits => "bpc", _ => "loss" };
        table.AddColumn($"train {shown}");
        table.AddColumn($"valid {shown}");
        foreach (string metric in _presentation.Metrics) table.AddColumn($"valid {metric.Replace('_', ' ')}");
        table.AddColumn($"{_tokenName}/s");
        table.AddColumn("seconds");
        foreach (EpochReport e in epochs)
        {
            var cells = new List<string>
            {
                e.Epoch.ToString(),
                e.LearningRate.ToString("G4"),
                _presentation.Show(e.TrainLoss).ToString(_presentation.Loss == LossDisplay.Nats ? "F4" : "F3"),
                _presentation.Show(e.ValidLoss).ToString(_presentation.Loss == LossDisplay.Nats ? "F4" : "F3"),
            };
            foreach (string metric in _presentation.Metrics) cells.Add(e.Valid(metric).ToString("F4"));
            cells.Add(e.TrainTokensPerSecond.ToString("N0"));
            cells.Add(e.Seconds.ToString("F0"));
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
    }
}
