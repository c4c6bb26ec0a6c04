using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recurrent.Metrics;

/// <summary>Precision, recall and F1 of one class, and how many examples truly belong to it.</summary>
public sealed record ClassScores(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("precision")] double Precision,
    [property: JsonPropertyName("recall")] double Recall,
    [property: JsonPropertyName("f1")] double F1,
    [property: JsonPropertyName("support")] long Support);

/// <summary>
/// A classifier's scores on a labelled set, from its confusion matrix C (rows: true class, columns: predicted):
/// accuracy = Σ C[i,i] / Σ C; for class i, precision = C[i,i] / Σ_r C[r,i], recall = C[i,i] / Σ_c C[i,c],
/// F1 = 2·P·R / (P + R) (each 0 when its denominator is 0, as scikit-learn's zero_division=0); macro F1 is the
/// unweighted mean of the classes' F1.
/// </summary>
public sealed class ClassificationReport
{
    private readonly long[] _confusion;

    /// <param name="labels">Class names, in id order.</param>
    public ClassificationReport(IReadOnlyList<string> labels)
    {
        if (labels.Count < 2) throw new ArgumentException("At least two classes are needed.", nameof(labels));
        Labels = labels;
        _confusion = new long[labels.Count * labels.Count];
    }

    /// <summary>The class names, in class order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Counts one example of class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public void Add(int actual, int predicted)
    {
        int k = Labels.Count;
        if ((uint)actual >= (uint)k || (uint)predicted >= (uint)k)
            throw new ArgumentOutOfRangeException(nameof(actual), $"Classes must be in [0, {k}), got {actual} and {predicted}.");
        _confusion[actual * k + predicted]++;
    }

    /// <summary>Examples whose true class is <paramref name="actual"/> and predicted class <paramref name="predicted"/>.</summary>
    public long Confusion(int actual, int predicted) => _confusion[actual * Labels.Count + predicted];

    /// <summary>Examples counted.</summary>
    public long Total
    {
        get
        {
            long n = 0;
            foreach (long c in _confusion) n += c;
            return n;
        }
    }

    /// <summary>Share of examples whose predicted class is the true one.</summary>
    public double Accuracy
    {
        get
        {
            long correct = 0;
            for (int i = 0; i < Labels.Count; i++) correct += Confusion(i, i);
            return Total == 0 ? 0 : (double)correct / Total;
        }
    }

    /// <summary>The scores of class <paramref name="c"/>.</summary>
    public ClassScores Class(int c)
    {
        long truePositive = Confusion(c, c), predicted = 0, actual = 0;
        for (int i = 0; i < Labels.Count; i++)
        {
            predicted += Confusion(i, c);
            actual += Confusion(c, i);
        }
        double precision = predicted == 0 ? 0 : (double)truePositive / predicted;
        double recall = actual == 0 ? 0 : (double)truePositive / actual;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new ClassScores(Labels[c], precision, recall, f1, actual);
    }

    /// <summary>Unweighted mean of the classes' F1.</summary>
    public double MacroF1
    {
        get
        {
            double sum = 0;
            for (int c = 0; c < Labels.Count; c++) sum += Class(c).F1;
            return sum / Labels.Count;
        }
    }

    /// <summary>The report as indented JSON: accuracy, macro F1, per-class scores and the confusion matrix.</summary>
    public string ToJson()
    {
        var classes = new List<ClassScores>();
        for (int c = 0; c < Labels.Count; c++) classes.Add(Class(c));
        var matrix = new long[Labels.Count][];
        for (int i = 0; i < Labels.Count; i++)
        {
            matrix[i] = new long[Labels.Count];
            for (int j = 0; j < Labels.Count; j++) matrix[i][j] = Confusion(i, j);
        }
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["examples"] = Total,
            ["accuracy"] = Accuracy,
            ["macro_f1"] = MacroF1,
            ["classes"] = classes,
            ["labels"] = Labels,
            ["confusion"] = matrix,
        }, new JsonSerializerOptions { WriteIndented = true });
    }
}
