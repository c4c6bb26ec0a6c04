using ScottPlot;

namespace Recurrent.Training;

/// <summary>Draws a run's training curve: train and validation perplexity (or bits per token) per epoch.</summary>
public static class TrainingCurvePlot
{
    /// <summary>Which quantity the curve shows.</summary>
    public enum Measure
    {
        Perplexity,
        BitsPerToken,
    }

    /// <summary>Writes <c>{pathWithoutExtension}.png</c> and <c>.svg</c>.</summary>
    public static void Save(string pathWithoutExtension, IReadOnlyList<EpochReport> epochs, Measure measure, string title)
    {
        var plot = new Plot();
        int n = epochs.Count;
        var x = new double[n];
        var train = new double[n];
        var valid = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = epochs[i].Epoch;
            train[i] = measure == Measure.Perplexity ? epochs[i].TrainPerplexity : epochs[i].TrainBitsPerToken;
            valid[i] = measure == Measure.Perplexity ? epochs[i].ValidPerplexity : epochs[i].ValidBitsPerToken;
        }
        var trainLine = plot.Add.Scatter(x, train);
        trainLine.LegendText = "train";
        var validLine = plot.Add.Scatter(x, valid);
        validLine.LegendText = "valid";
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(measure == Measure.Perplexity ? "perplexity" : "bits per token");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(pathWithoutExtension + ".png", 800, 500);
        plot.SaveSvg(pathWithoutExtension + ".svg", 800, 500);
    }
}
