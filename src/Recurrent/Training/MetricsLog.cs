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
        string line = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["epoch"] = report.Epoch,
            ["learning_rate"] = report.LearningRate,
            ["train_loss"] = report.TrainLoss,
            ["valid_loss"] = report.ValidLoss,
            ["train_perplexity"] = report.TrainPerplexity,
            ["valid_perplexity"] = report.ValidPerplexity,
            ["train_bits_per_token"] = report.TrainBitsPerToken,
            ["valid_bits_per_token"] = report.ValidBitsPerToken,
            ["train_tokens_per_second"] = report.TrainTokensPerSecond,
            ["eval_tokens_per_second"] = report.EvalTokensPerSecond,
            ["seconds"] = report.Seconds,
        });
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        using var writer = new StreamWriter(stream);
        writer.WriteLine(line);
        writer.Flush();
        stream.Flush(flushToDisk: true);
    }

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
                    e.GetProperty("train_loss").GetDouble(),
                    e.GetProperty("valid_loss").GetDouble(),
                    e.GetProperty("train_tokens_per_second").GetDouble(),
                    e.GetProperty("eval_tokens_per_second").GetDouble(),
                    e.GetProperty("seconds").GetDouble()));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new RecurrentException($"{path}, line {lineNumber}: not a metrics record ({ex.Message}).");
            }
        }
        return reports;
    }
}
