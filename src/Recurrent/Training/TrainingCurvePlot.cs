using ScottPlot;

namespace Recurrent.Training;

/// <summary>
/// Draws a run's training curve: train and validation loss per epoch, shown the task's way (perplexity, bits or
/// nats), and on a second axis the validation metrics the task names (accuracy, F1…).
/// </summary>
internal static class TrainingCurvePlot
{
    /// <summary>Writes <c>{pathWithoutExtension}.png</c> and <c>.svg</c>.</summary>
    public static void Save(string pathWithoutExtension, IReadOnlyList<EpochReport> epochs, TaskPresentation presentation)
    {
        var plot = new Plot();
        int n = epochs.Count;
        var x = new double[n];
        var train = new double[n];
        var valid = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = epochs[i].Epoch;
            train[i] = presentation.Show(epochs[i].TrainLoss);
            valid[i] = presentation.Show(epochs[i].ValidLoss);
        }
        var trainLine = plot.Add.Scatter(x, train);
        trainLine.LegendText = $"train {presentation.LossName}";
        var validLine = plot.Add.Scatter(x, valid);
        validLine.LegendText = $"valid {presentation.LossName}";
        foreach (string metric in presentation.Metrics)
        {
            var values = new double[n];
            for (int i = 0; i < n; i++) values[i] = epochs[i].Valid(metric);
            var line = plot.Add.Scatter(x, values);
            line.LegendText = $"valid {metric.Replace('_', ' ')}";
            line.Axes.YAxis = plot.Axes.Right;
        }
        if (presentation.Metrics.Count > 0) plot.Axes.Right.Label.Text = string.Join(", ", presentation.Metrics).Replace('_', ' ');
        plot.Title(presentation.Title);
        plot.XLabel("epoch");
        plot.YLabel(presentation.Loss switch
        {
            LossDisplay.Perplexity => "perplexity",
            LossDisplay.Bits => "bits per token",
            _ => "loss (nats)",
        });
        plot.ShowLegend(Alignment.UpperRight);
        AtomicFile.Write(pathWithoutExtension + ".png", s => s.Write(plot.GetImageBytes(800, 500, ImageFormat.Png)));
        AtomicFile.WriteAllText(pathWithoutExtension + ".svg", plot.GetSvgXml(800, 500));
    }
}
