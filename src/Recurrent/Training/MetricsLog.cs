using System.Text.Json;

namespace Recurrent.Training;

/// <summary>
/// The per-epoch metrics of a run as JSON lines (<c>metrics.jsonl</c>): one object per epoch with the
/// learning rate, losses in nats, perplexities, bits per token and throughput. Appended and flushed after
/// every epoch so that a crash keeps what was measured.
/// </summary>
public static class MetricsLog
{
    /// <summary>Appends one epoch.</summary>
    public static void Append(string path, EpochReport report)
    {
        // A finite loss can still have an infinite perplexity (e^710 overflows); JSON has no infinity, so such a
        // value is written as null rather than failing the run.
        string line = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["epoch"] = report.Epoch,
            ["learning_rate"] = report.LearningRate,
            ["train_loss"] = Finite(report.TrainLoss),
            ["valid_loss"] = Finite(report.ValidLoss),
            ["train_perplexity"] = Finite(report.TrainPerplexity),
            ["valid_perplexity"] = Finite(report.ValidPerplexity),
            ["train_bits_per_token"] = Finite(report.TrainBitsPerToken),
            ["valid_bits_per_token"] = Finite(report.ValidBitsPerToken),
            ["train_tokens_per_second"] = Finite(report.TrainTokensPerSecond),
            ["eval_tokens_per_second"] = Finite(report.EvalTokensPerSecond),
            ["seconds"] = Finite(report.Seconds),
        });
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        using var writer = new StreamWriter(stream);
        writer.WriteLine(line);
        writer.Flush();
        stream.Flush(flushToDisk: true);
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static double NumberOrInfinity(JsonElement value) =>
        value.ValueKind == JsonValueKind.Null ? double.PositiveInfinity : value.GetDouble();

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
                reports.Add(new EpochReport(
                    e.GetProperty("epoch").GetInt32(),
                    e.GetProperty("learning_rate").GetSingle(),
                    NumberOrInfinity(e.GetProperty("train_loss")),
                    NumberOrInfinity(e.GetProperty("valid_loss")),
                    NumberOrInfinity(e.GetProperty("train_tokens_per_second")),
                    NumberOrInfinity(e.GetProperty("eval_tokens_per_second")),
                    NumberOrInfinity(e.GetProperty("seconds"))));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new RecurrentException($"{path}, line {lineNumber}: not a metrics record ({ex.Message}).");
            }
        }
        return reports;
    }
}
