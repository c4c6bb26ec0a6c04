using System.Text.Json;
using Recurrent.Metrics;

namespace Recurrent.Tests.Metrics;

public sealed class ClassificationReportTests
{
    /// <summary>
    /// Hand-worked three-class example. Confusion (rows true, columns predicted):
    ///   a: [3, 1, 0]   b: [1, 2, 1]   c: [0, 0, 0]   (c never occurs, but is predicted once by b)
    /// accuracy = 5/8; a: P = 3/4, R = 3/4, F1 = 3/4; b: P = 2/3, R = 2/4, F1 = 2·(2/3)(1/2)/(2/3+1/2) = 4/7;
    /// c: P = 0/1, R = 0/0 → 0, F1 = 0; macro F1 = (3/4 + 4/7 + 0)/3 = 37/84.
    /// </summary>
    [Fact]
    public void HandWorkedThreeClasses()
    {
        var report = new ClassificationReport(["a", "b", "c"]);
        (int, int)[] pairs = [(0, 0), (0, 0), (0, 0), (0, 1), (1, 0), (1, 1), (1, 1), (1, 2)];
        foreach ((int actual, int predicted) in pairs) report.Add(actual, predicted);
        Assert.Equal(8, report.Total);
        Assert.Equal(5.0 / 8, report.Accuracy, 12);
        Assert.Equal(0.75, report.Class(0).Precision, 12);
        Assert.Equal(0.75, report.Class(0).Recall, 12);
        Assert.Equal(2.0 / 3, report.Class(1).Precision, 12);
        Assert.Equal(0.5, report.Class(1).Recall, 12);
        Assert.Equal(4.0 / 7, report.Class(1).F1, 12);
        Assert.Equal(0, report.Class(2).F1);
        Assert.Equal(0, report.Class(2).Support);
        Assert.Equal(37.0 / 84, report.MacroF1, 12);
        using JsonDocument json = JsonDocument.Parse(report.ToJson());
        Assert.Equal(1, json.RootElement.GetProperty("confusion")[1][2].GetInt64());
        Assert.Equal(37.0 / 84, json.RootElement.GetProperty("macro_f1").GetDouble(), 12);
    }

    [Fact]
    public void OutOfRangeClassIsRefused()
    {
        var report = new ClassificationReport(["neg", "pos"]);
        Assert.Throws<ArgumentOutOfRangeException>(() => report.Add(2, 0));
    }
}
