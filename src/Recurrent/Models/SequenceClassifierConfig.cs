using System.Text.Json;
using System.Text.Json.Serialization;
using Recurrent.Data.Classification;
using Recurrent.Training;

namespace Recurrent.Models;

/// <summary>How a classifier turns the recurrent outputs of a sequence into one vector.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClassifierHead>))]
public enum ClassifierHead
{
    /// <summary>The output at each sequence's last real step (TensorFlow for Machine Intelligence's last relevant output).</summary>
    Last,
    /// <summary>The mean over the real steps.</summary>
    Mean,
    /// <summary>The element-wise maximum over the real steps.</summary>
    Max,
    /// <summary>Bidirectional layers: the forward direction's last output joined with the backward direction's first.</summary>
    BiLast,
}

/// <summary>
/// A sequence classifier and how it is trained: embedding (random, pretrained, or one-hot input) → recurrent
/// layers (LSTM or GRU, optionally bidirectional) → a head over the real steps → dropout → linear → softmax over
/// the classes, or one sigmoid logit for two classes.
/// </summary>
public sealed record SequenceClassifierConfig
{
    /// <summary>Tokens, including <c>&lt;pad&gt;</c> (id 0) and <c>&lt;unk&gt;</c> (id 1).</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 2;

    /// <summary>Number of classes (at least 2).</summary>
    [JsonPropertyName("classes")] public int Classes { get; init; } = 2;

    /// <summary>Embedding width; ignored with one-hot input.</summary>
    [JsonPropertyName("embedding_size")] public int EmbeddingSize { get; init; } = 256;

    /// <summary>Embedding rows start uniform in [−s, s] (the book: 1); rows of pretrained vectors are copied instead.</summary>
    [JsonPropertyName("embedding_init_scale")] public float EmbeddingInitScale { get; init; } = 1f;

    /// <summary>Feed one-hot vectors instead of an embedding.</summary>
    [JsonPropertyName("one_hot")] public bool OneHot { get; init; }

    /// <summary>Keep the embedding fixed (pretrained vectors used as they are).</summary>
    [JsonPropertyName("freeze_embeddings")] public bool FreezeEmbeddings { get; init; }

    /// <summary>The recurrent cell.</summary>
    [JsonPropertyName("cell")] public CellKind Cell { get; init; } = CellKind.Lstm;

    /// <summary>Units per recurrent layer (per direction).</summary>
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 128;

    /// <summary>Number of stacked recurrent layers.</summary>
    [JsonPropertyName("num_layers")] public int NumLayers { get; init; } = 1;

    /// <summary>Each layer reads the sequence both ways; its output is [forward, backward].</summary>
    [JsonPropertyName("bidirectional")] public bool Bidirectional { get; init; }

    /// <summary>How the recurrent outputs over a text become one vector for the classes.</summary>
    [JsonPropertyName("head")] public ClassifierHead Head { get; init; } = ClassifierHead.Last;

    /// <summary>Recurrent weights start uniform in [−s, s].</summary>
    [JsonPropertyName("init_scale")] public float InitScale { get; init; } = 0.08f;

    /// <summary>Added to the LSTM forget gate (TF's BasicLSTMCell: 1).</summary>
    [JsonPropertyName("forget_bias")] public float ForgetBias { get; init; } = 1f;

    /// <summary>
    /// Skip-gram passes over the training data's own texts (validation part included, labels unused, test texts never)
    /// that initialise the embedding before the classifier trains (0: none, the embedding starts random). Word2vec's settings otherwise: window 5, 5 negative samples,
    /// subsampling 1e-4, words seen at least twice. Ignored when pretrained vectors are given.
    /// </summary>
    [JsonPropertyName("pretrain_epochs")] public int PretrainEpochs { get; init; }

    /// <summary>Dropout keep probability on the embedded input (1: none); whole word vectors are kept or dropped per element, as TF's dropout on embedding_lookup.</summary>
    [JsonPropertyName("input_keep_prob")] public float InputKeepProb { get; init; } = 1f;

    /// <summary>Dropout keep probability on the head's output (and between stacked layers).</summary>
    [JsonPropertyName("keep_prob")] public float KeepProb { get; init; } = 1f;

    /// <summary>Two classes scored by one sigmoid logit (the book) instead of a two-way softmax.</summary>
    [JsonPropertyName("sigmoid_output")] public bool SigmoidOutput { get; init; }

    /// <summary>Texts are cut to this many tokens (0: no limit).</summary>
    [JsonPropertyName("max_length")] public int MaxLength { get; init; }

    /// <summary>Which end of a long text is kept.</summary>
    [JsonPropertyName("truncate")] public TruncationSide Truncate { get; init; } = TruncationSide.KeepEnd;

    /// <summary>
    /// Pad every text on the left to <c>max_length</c> and run all steps, as the book does (its last step is then
    /// every text's last word); otherwise texts are bucketed by length, padded on the right and their real lengths used.
    /// </summary>
    [JsonPropertyName("left_pad")] public bool LeftPad { get; init; }

    /// <summary>Vocabulary: at most this many words from the training split (0: all).</summary>
    [JsonPropertyName("max_vocab")] public int MaxVocab { get; init; }

    /// <summary>Vocabulary: words seen fewer times in training map to &lt;unk&gt;.</summary>
    [JsonPropertyName("min_count")] public int MinCount { get; init; } = 1;

    /// <summary>The optimizer.</summary>
    [JsonPropertyName("optimizer")] public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Initial learning rate.</summary>
    [JsonPropertyName("learning_rate")] public float LearningRate { get; init; } = 0.001f;

    /// <summary>Gradients are clipped to this global norm (0: none).</summary>
    [JsonPropertyName("max_grad_norm")] public float MaxGradNorm { get; init; }

    /// <summary>Texts per batch.</summary>
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; } = 100;

    /// <summary>Training epochs.</summary>
    [JsonPropertyName("epochs")] public int Epochs { get; init; } = 10;

    /// <summary>Validation metric that picks the best checkpoint: loss, accuracy or macro_f1.</summary>
    [JsonPropertyName("selection_metric")] public string SelectionMetric { get; init; } = "accuracy";

    /// <summary>Stop after this many epochs without a better selection metric (0: never).</summary>
    [JsonPropertyName("patience")] public int Patience { get; init; }

    /// <summary>Share of the training data held out for validation when the data has no validation split.</summary>
    [JsonPropertyName("valid_fraction")] public double ValidFraction { get; init; } = 0.1;

    /// <summary>Seed for initialisation, dropout, shuffling and the validation split: a run is reproducible from it.</summary>
    [JsonPropertyName("seed")] public ulong Seed { get; init; } = 1;

    /// <summary>Width of the recurrent output the head reads.</summary>
    [JsonIgnore] public int RecurrentOutputSize => Bidirectional ? 2 * HiddenSize : HiddenSize;

    /// <summary>Width of the input vectors.</summary>
    [JsonIgnore] public int InputSize => OneHot ? VocabSize : EmbeddingSize;

    /// <summary>Logits per example.</summary>
    [JsonIgnore] public int Outputs => SigmoidOutput ? 1 : Classes;

    /// <summary>The trainer's settings.</summary>
    public TrainingSettings TrainingSettings() => new()
    {
        Optimizer = Optimizer,
        LearningRate = LearningRate,
        Epochs = Epochs,
        MaxGradNorm = MaxGradNorm,
        SelectionMetric = SelectionMetric,
        Patience = Patience,
    };

    /// <summary>Checks every value and names the first bad setting.</summary>
    public void Validate()
    {
        static void Require(bool ok, string name, string expected, object value)
        {
            if (!ok) throw new RecurrentException($"Setting {name} must be {expected}, got {value}.");
        }
        Require(VocabSize >= 2, "vocab_size", "at least 2", VocabSize);
        Require(Classes >= 2, "classes", "at least 2", Classes);
        Require(OneHot || EmbeddingSize >= 1, "embedding_size", "at least 1", EmbeddingSize);
        Require(EmbeddingInitScale > 0, "embedding_init_scale", "positive", EmbeddingInitScale);
        Require(HiddenSize >= 1, "hidden_size", "at least 1", HiddenSize);
        Require(NumLayers >= 1, "num_layers", "at least 1", NumLayers);
        Require(InitScale > 0, "init_scale", "positive", InitScale);
        Require(KeepProb > 0 && KeepProb <= 1, "keep_prob", "in (0, 1]", KeepProb);
        Require(PretrainEpochs >= 0, "pretrain_epochs", "0 or more", PretrainEpochs);
        Require(PretrainEpochs == 0 || !OneHot, "pretrain_epochs", "0 with one-hot input (there is no embedding to initialise)", PretrainEpochs);
        Require(InputKeepProb > 0 && InputKeepProb <= 1, "input_keep_prob", "in (0, 1]", InputKeepProb);
        Require(InputKeepProb == 1 || !OneHot, "input_keep_prob", "1 with one-hot input (dropping it would hide the token)", InputKeepProb);
        Require(!SigmoidOutput || Classes == 2, "sigmoid_output", "used with exactly 2 classes", $"{Classes} classes");
        Require(Head != ClassifierHead.BiLast || Bidirectional, "head", "bilast only with bidirectional layers", Head);
        Require(MaxLength >= 0, "max_length", "zero or positive", MaxLength);
        Require(!LeftPad || MaxLength > 0, "left_pad", "used with a max_length", MaxLength);
        Require(MaxVocab >= 0, "max_vocab", "zero or positive", MaxVocab);
        Require(MinCount >= 1, "min_count", "at least 1", MinCount);
        Require(LearningRate > 0, "learning_rate", "positive", LearningRate);
        Require(MaxGradNorm >= 0, "max_grad_norm", "zero or positive", MaxGradNorm);
        Require(BatchSize >= 1, "batch_size", "at least 1", BatchSize);
        Require(Epochs >= 1, "epochs", "at least 1", Epochs);
        Require(SelectionMetric is "loss" or "accuracy" or "macro_f1", "selection_metric", "loss, accuracy or macro_f1", SelectionMetric);
        Require(Patience >= 0, "patience", "zero or positive", Patience);
        Require(ValidFraction > 0 && ValidFraction < 1, "valid_fraction", "in (0, 1)", ValidFraction);
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The config as JSON (snake_case names), as checkpoints and <c>config.json</c> store it.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a config; <paramref name="source"/> names the file in error messages.</summary>
    public static SequenceClassifierConfig FromJson(string json, string source)
    {
        SequenceClassifierConfig config = ConfigJson.Read<SequenceClassifierConfig>(json, source, JsonOptions, "classifier config");
        config.Validate();
        return config;
    }

    /// <summary>Applies the settings present in a JSON object on top of this config; unknown names are an error.</summary>
    public SequenceClassifierConfig Overlay(string json, string source) => ConfigJson.Overlay(this, json, source, JsonOptions, FromJson);
}
