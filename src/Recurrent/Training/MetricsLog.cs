using System.Text;
using System.Text.Json;

namespace Recurrent.Training;

/// <summary>
/// The per-epoch metrics of a run as JSON lines (<c>metrics.jsonl</c>): one object per epoch with the learning
/// rate, losses in nats, for language models perplexities and bits per token, the task's validation metrics
/// (<c>valid_accuracy</c>…) and throughput. Appended and flushed after every epoch so that a crash keeps what was measured.
/// </summary>
internal static class MetricsLog
{
    /// <summary>Appends one epoch.</summary>
    /// <param name="path">The log file.</param>
    /// <param name="report">The epoch.</param>
    /// <param name="loss">How the task shows its loss: perplexity and bits are written only for a language model's loss
    /// (<see cref="LossDisplay.Perplexity"/> or <see cref="LossDisplay.Bits"/>); for a classifier they mean nothing.</param>
    public static void Append(string path, EpochReport report, LossDisplay loss = LossDisplay.Perplexity)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        using var writer = new StreamWriter(stream);
        writer.WriteLine(Line(report, loss));
        writer.Flush();
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Replaces the log with <paramref name="reports"/>, atomically (a resumed run rewrites it from its checkpoint).</summary>
    public static void Write(string path, IReadOnlyList<EpochReport> reports, LossDisplay loss = LossDisplay.Perplexity)
    {
        var text = new StringBuilder();
        foreach (EpochReport report in reports) text.Append(Line(report, loss)).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>One epoch as a JSON object on one line.</summary>
    public static string Line(EpochReport report, LossDisplay loss = LossDisplay.Perplexity)
    {
        // A finite loss can still have an infinite perplexity (e^710 overflows); JSON has no infinity, so such a
        // value is written as null rather than failing the run.
        var fields = new Dictionary<string, object?>
        {
            ["epoch"] = report.Epoch,
            ["learning_rate"] = report.LearningRate,
            ["train_loss"] = Finite(report.TrainLoss),
            ["valid_loss"] = Finite(report.ValidLoss),
        };
        if (loss != LossDisplay.Nats)
        {
            fields["train_perplexity"] = Finite(report.TrainPerplexity);
            fields["valid_perplexity"] = Finite(report.ValidPerplexity);
            fields["train_bits_per_token"] = Finite(report.TrainBitsPerToken);
            fields["valid_bits_per_token"] = Finite(report.ValidBitsPerToken);
        }
        if (report.ValidMetrics is not null)
            foreach ((string name, double value) in report.ValidMetrics) fields["valid_" + name] = Finite(value);
        fields["train_tokens_per_second"] = Finite(report.TrainTokensPerSecond);
        fields["eval_tokens_per_second"] = Finite(report.EvalTokensPerSecond);
        fields["seconds"] = Finite(report.Seconds);
        return JsonSerializer.Serialize(fields);
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static double NumberOrInfinity(JsonElement value) =>
        value.ValueKind == JsonValueKind.Null ? double.PositiveInfinity : value.GetDouble();

    private static readonly HashSet<string> LossFields = ["valid_loss", "valid_perplexity", "valid_bits_per_token"];

    /// <summary>Reads every epoch back, in order.</summary>
    public static List<EpochReport> Read(string path)
    {
        var reports = new List<EpochReport>();
        if (!File.Exists(path)) return reports;
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var document = JsonDocument.Parse(line);
                JsonElement e = document.RootElement;
                var metrics = new Dictionary<string, double>();
                foreach (JsonProperty p in e.EnumerateObject())
                    if (p.Name.StartsWith("valid_", StringComparison.Ordinal) && !LossFields.Contains(p.Name))
                        metrics[p.Name["valid_".Length..]] = p.Value.ValueKind == JsonValueKind.Null ? double.NaN : p.Value.GetDouble();
                reports.Add(new EpochReport(
                    e.GetProperty("epoch").GetInt32(),
                    e.GetProperty("learning_rate").GetSingle(),
                    NumberOrInfinity(e.GetProperty("train_loss")),
                    NumberOrInfinity(e.GetProperty("valid_loss")),
                    NumberOrInfinity(e.GetProperty("train_tokens_per_second")),
                    NumberOrInfinity(e.GetProperty("eval_tokens_per_second")),
                    NumberOrInfinity(e.GetProperty("seconds")),
                    metrics));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new RecurrentException($"{path}, line {lineNumber}: not a metrics record ({ex.Message}).");
            }
        }
        return reports;
    }
}
