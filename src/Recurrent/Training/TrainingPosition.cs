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

    /// <summary>Loss terms (tokens, examples) trained in the epoch so far: the epoch's loss is EpochLoss / EpochCount.</summary>
    [JsonPropertyName("epoch_count")] public long EpochCount { get; set; }

    /// <summary>Items (tokens) trained in the epoch so far, for throughput.</summary>
    [JsonPropertyName("epoch_items")] public long EpochItems { get; set; }

    /// <summary>Training seconds spent in the epoch so far (for its throughput).</summary>
    [JsonPropertyName("epoch_seconds")] public double EpochSeconds { get; set; }

    /// <summary>Optimizer steps taken since the start of the run.</summary>
    [JsonPropertyName("step")] public long Step { get; set; }

    /// <summary>Epochs the run is to train in all (<c>--epochs</c> on resume changes it).</summary>
    [JsonPropertyName("epochs")] public int Epochs { get; set; }

    /// <summary>Best value so far of the selection metric (<see cref="TrainingSettings.SelectionMetric"/>); null before the first epoch ends.</summary>
    [JsonPropertyName("best_value")] public double? BestValue { get; set; }

    /// <summary>1-based epoch of <see cref="BestValue"/>; 0 before the first epoch ends.</summary>
    [JsonPropertyName("best_epoch")] public int BestEpoch { get; set; }

    /// <summary>Whether the run ended early because the selection metric stopped improving.</summary>
    [JsonPropertyName("stopped_early")] public bool StoppedEarly { get; set; }

    /// <summary>Rejects counts no run can have (a damaged or hand-edited checkpoint); called on load.</summary>
    internal void Validate(string source)
    {
        if (Epoch < 0 || Batch < 0 || Step < 0 || Epochs < 0 || EpochCount < 0 || EpochItems < 0 || History is null)
            throw new RecurrentException($"{source}: the training state holds negative or missing counts.");
    }

    /// <summary>State of the random generator used for dropout, so masks continue the same stream.</summary>
    [JsonPropertyName("random_state")] public ulong[] RandomState { get; set; } = [];

    /// <summary>Finished epochs.</summary>
    [JsonPropertyName("history")] public List<EpochReport> History { get; set; } = [];

    private static readonly JsonSerializerOptions Options = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The position as JSON, as training checkpoints store it.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Reads a position written by <see cref="ToJson"/>; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="RecurrentException">The JSON is malformed.</exception>
    public static TrainingPosition FromJson(string json, string source)
    {
        try
        {
            TrainingPosition position = JsonSerializer.Deserialize<TrainingPosition>(json, Options)
                ?? throw new RecurrentException($"{source}: the training state is empty.");
            position.Validate(source);
            return position;
        }
        catch (JsonException e)
        {
            throw new RecurrentException($"{source}: the training state is not valid ({e.Message}).");
        }
    }
}
