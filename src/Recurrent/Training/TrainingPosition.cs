using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recurrent.Training;

/// <summary>
/// Where a run stands: what a checkpoint must hold, beside the tensors, for <c>--resume</c> to continue
/// exactly as if the run had never stopped.
/// </summary>
public sealed class TrainingPosition
{
    /// <summary>0-based epoch in progress (equal to the epoch count once training is over).</summary>
    [JsonPropertyName("epoch")] public int Epoch { get; set; }

    /// <summary>Batches of <see cref="Epoch"/> already trained.</summary>
    [JsonPropertyName("batch")] public int Batch { get; set; }

    /// <summary>Summed training loss (nats) of the epoch so far.</summary>
    [JsonPropertyName("epoch_loss")] public double EpochLoss { get; set; }

    /// <summary>Tokens trained in the epoch so far.</summary>
    [JsonPropertyName("epoch_tokens")] public long EpochTokens { get; set; }

    /// <summary>Training seconds spent in the epoch so far (for its throughput).</summary>
    [JsonPropertyName("epoch_seconds")] public double EpochSeconds { get; set; }

    /// <summary>Optimizer steps taken since the start of the run.</summary>
    [JsonPropertyName("step")] public long Step { get; set; }

    /// <summary>Best validation loss so far (nats per token); +∞ before the first epoch ends.</summary>
    [JsonPropertyName("best_valid_loss")] public double BestValidLoss { get; set; } = double.PositiveInfinity;

    /// <summary>State of the random generator used for dropout, so masks continue the same stream.</summary>
    [JsonPropertyName("random_state")] public ulong[] RandomState { get; set; } = [];

    /// <summary>Finished epochs.</summary>
    [JsonPropertyName("history")] public List<EpochReport> History { get; set; } = [];

    private static readonly JsonSerializerOptions Options = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static TrainingPosition FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainingPosition>(json, Options)
                ?? throw new RecurrentException($"{source}: the training state is empty.");
        }
        catch (JsonException e)
        {
            throw new RecurrentException($"{source}: the training state is not valid ({e.Message}).");
        }
    }
}
