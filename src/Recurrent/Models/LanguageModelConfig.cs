using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recurrent.Models;

/// <summary>Which recurrent cell a model stacks.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CellKind>))]
public enum CellKind
{
    /// <summary>Long short-term memory (Hochreiter and Schmidhuber), with a forget gate.</summary>
    Lstm,
    /// <summary>Gated recurrent unit (Cho et al.), as PyTorch and cuDNN compute it.</summary>
    Gru,
    /// <summary>Plain (Elman) recurrent layer with tanh.</summary>
    Rnn,
}

/// <summary>Which optimizer trains a model.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
public enum OptimizerKind
{
    /// <summary>Plain stochastic gradient descent.</summary>
    Sgd,
    /// <summary>Gradient descent with momentum.</summary>
    Momentum,
    /// <summary>Adam (Kingma and Ba).</summary>
    Adam,
    /// <summary>RMSProp (Hinton).</summary>
    RmsProp,
}

/// <summary>
/// Hyper-parameters of a token-level language model (words or characters): embedding (or one-hot input),
/// a stack of recurrent layers, dropout, and a softmax over the vocabulary, trained by truncated
/// backpropagation through time with the state carried between batches.
/// </summary>
/// <remarks>
/// JSON names follow TensorFlow's <c>ptb_word_lm.py</c> where it has the setting (<c>init_scale</c>,
/// <c>learning_rate</c>, <c>max_grad_norm</c>, <c>num_layers</c>, <c>num_steps</c>, <c>hidden_size</c>,
/// <c>max_epoch</c>, <c>max_max_epoch</c>, <c>keep_prob</c>, <c>lr_decay</c>, <c>batch_size</c>), so a
/// config written for that script reads the same here.
/// </remarks>
public sealed record LanguageModelConfig
{
    /// <summary>Weights are initialised uniformly in [−init_scale, init_scale].</summary>
    [JsonPropertyName("init_scale")] public float InitScale { get; init; } = 0.1f;

    /// <summary>Initial learning rate.</summary>
    [JsonPropertyName("learning_rate")] public float LearningRate { get; init; } = 1.0f;

    /// <summary>Gradients are clipped to this global norm (0 disables clipping).</summary>
    [JsonPropertyName("max_grad_norm")] public float MaxGradNorm { get; init; } = 5f;

    /// <summary>Number of stacked recurrent layers.</summary>
    [JsonPropertyName("num_layers")] public int NumLayers { get; init; } = 2;

    /// <summary>Truncated-BPTT length: time steps per batch.</summary>
    [JsonPropertyName("num_steps")] public int NumSteps { get; init; } = 20;

    /// <summary>Units per recurrent layer.</summary>
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 200;

    /// <summary>Size of the input embedding; 0 means the hidden size (as in ptb_word_lm.py); ignored with one-hot input.</summary>
    [JsonPropertyName("embedding_size")] public int EmbeddingSize { get; init; }

    /// <summary>Epochs at the initial learning rate before the step decay starts.</summary>
    [JsonPropertyName("max_epoch")] public int MaxEpoch { get; init; } = 4;

    /// <summary>Total number of training epochs.</summary>
    [JsonPropertyName("max_max_epoch")] public int MaxMaxEpoch { get; init; } = 13;

    /// <summary>Dropout keep probability on the non-recurrent connections (1 = no dropout).</summary>
    [JsonPropertyName("keep_prob")] public float KeepProb { get; init; } = 1f;

    /// <summary>Learning-rate factor per epoch after <see cref="MaxEpoch"/> (1 = constant).</summary>
    [JsonPropertyName("lr_decay")] public float LrDecay { get; init; } = 0.5f;

    /// <summary>Parallel streams the training text is cut into (rows of a batch).</summary>
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; } = 20;

    /// <summary>Number of tokens; set from the training data's vocabulary when the model is built.</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 10000;

    /// <summary>The recurrent cell.</summary>
    [JsonPropertyName("cell")] public CellKind Cell { get; init; } = CellKind.Lstm;

    /// <summary>Added to the LSTM forget gate's pre-activation (ptb_word_lm.py uses 0).</summary>
    [JsonPropertyName("forget_bias")] public float ForgetBias { get; init; }

    /// <summary>Feed one-hot vectors instead of a learned embedding (the Python Machine Learning book's char model).</summary>
    [JsonPropertyName("one_hot")] public bool OneHot { get; init; }

    /// <summary>Use the same dropout mask at every time step (Gal and Ghahramani) instead of a fresh one.</summary>
    [JsonPropertyName("variational_dropout")] public bool VariationalDropout { get; init; }

    /// <summary>The optimizer.</summary>
    [JsonPropertyName("optimizer")] public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>Seed for initialisation, dropout and sampling: a run is reproducible from it.</summary>
    [JsonPropertyName("seed")] public ulong Seed { get; init; } = 1;

    /// <summary>The embedding width actually used.</summary>
    [JsonIgnore] public int EffectiveEmbeddingSize => OneHot ? VocabSize : EmbeddingSize > 0 ? EmbeddingSize : HiddenSize;

    /// <summary>The learning rate for a 0-based epoch: <c>lr · lr_decay^max(epoch + 1 − max_epoch, 0)</c>, as ptb_word_lm.py.</summary>
    public float LearningRateAt(int epoch) =>
        (float)(LearningRate * Math.Pow(LrDecay, Math.Max(epoch + 1 - MaxEpoch, 0)));

    /// <summary>The trainer's settings: the optimizer, ptb_word_lm.py's step decay, clipping and epochs.</summary>
    public Training.TrainingSettings TrainingSettings() => new()
    {
        Optimizer = Optimizer,
        LearningRate = LearningRate,
        LrDecay = LrDecay,
        DecayStartEpoch = MaxEpoch,
        Epochs = MaxMaxEpoch,
        MaxGradNorm = MaxGradNorm,
    };

    /// <summary>Checks every value and names the first bad setting.</summary>
    public void Validate()
    {
        static void Require(bool ok, string name, string expected, object value)
        {
            if (!ok) throw new RecurrentException($"Setting {name} must be {expected}, got {value}.");
        }
        Require(InitScale > 0, "init_scale", "positive", InitScale);
        Require(LearningRate > 0, "learning_rate", "positive", LearningRate);
        Require(MaxGradNorm >= 0, "max_grad_norm", "zero or positive", MaxGradNorm);
        Require(NumLayers >= 1, "num_layers", "at least 1", NumLayers);
        Require(NumSteps >= 1, "num_steps", "at least 1", NumSteps);
        Require(HiddenSize >= 1, "hidden_size", "at least 1", HiddenSize);
        Require(EmbeddingSize >= 0, "embedding_size", "zero or positive", EmbeddingSize);
        Require(MaxEpoch >= 0, "max_epoch", "zero or positive", MaxEpoch);
        Require(MaxMaxEpoch >= 1, "max_max_epoch", "at least 1", MaxMaxEpoch);
        Require(KeepProb > 0 && KeepProb <= 1, "keep_prob", "in (0, 1]", KeepProb);
        Require(LrDecay > 0, "lr_decay", "positive", LrDecay);
        Require(BatchSize >= 1, "batch_size", "at least 1", BatchSize);
        Require(VocabSize >= 2, "vocab_size", "at least 2", VocabSize);
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>The config as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a config; <paramref name="source"/> names the file in error messages.</summary>
    public static LanguageModelConfig FromJson(string json, string source) => ConfigJson.Read<LanguageModelConfig>(json, source, JsonOptions, "config");

    /// <summary>
    /// Applies the settings present in a JSON object on top of this config: a config file names only what it
    /// changes. Unknown names are an error, so a typo is not silently ignored.
    /// </summary>
    public LanguageModelConfig Overlay(string json, string source) => ConfigJson.Overlay(this, json, source, JsonOptions, FromJson);
}
