using System.Text.Json;
using System.Text.Json.Serialization;
using Recurrent.Data.Labelling;
using Recurrent.Training;

namespace Recurrent.Models;

/// <summary>How a tagger scores the tags of a sentence.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TaggerOutput>))]
public enum TaggerOutput
{
    /// <summary>One softmax per token, shared over time steps; the loss is the cross-entropy averaged over real tokens.</summary>
    Softmax,
    /// <summary>A linear-chain CRF over the whole sentence: forward-algorithm loss, Viterbi decoding.</summary>
    Crf,
}

/// <summary>
/// A sequence tagger and how it is trained. Each token's input is the concatenation of any of: a word embedding
/// (random or pretrained), a character BiLSTM's final states (forward after the last character, backward after
/// the first) over the word as written, embeddings of extra feature columns, and a dense frame (OCR pixels).
/// Then recurrent layers (LSTM or GRU, usually bidirectional) over the real lengths, dropout, a linear layer to
/// the tag scores, and a softmax per token or a CRF over the sentence.
/// </summary>
public sealed record SequenceTaggerConfig
{
    /// <summary>Words, including <c>&lt;pad&gt;</c> (id 0) and <c>&lt;unk&gt;</c> (id 1); set from the data.</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 2;

    /// <summary>Word embedding width; 0 for no word input (OCR frames).</summary>
    [JsonPropertyName("word_embedding_size")] public int WordEmbeddingSize { get; init; } = 100;

    /// <summary>Word (and feature) embedding rows start uniform in [−s, s]; rows of pretrained vectors are copied instead.</summary>
    [JsonPropertyName("embedding_init_scale")] public float EmbeddingInitScale { get; init; } = 0.1f;

    /// <summary>Keep the word embedding fixed (pretrained vectors used as they are).</summary>
    [JsonPropertyName("freeze_embeddings")] public bool FreezeEmbeddings { get; init; }

    /// <summary>The word embedding looks words up lower-cased (the characters keep the case).</summary>
    [JsonPropertyName("lowercase")] public bool Lowercase { get; init; } = true;

    /// <summary>The word embedding looks words up with every digit replaced by 0 (so 1987 and 2003 share a row).</summary>
    [JsonPropertyName("zero_digits")] public bool ZeroDigits { get; init; } = true;

    /// <summary>Vocabulary: words seen fewer times in training map to &lt;unk&gt;.</summary>
    [JsonPropertyName("min_count")] public int MinCount { get; init; } = 1;

    /// <summary>Vocabulary: at most this many entries, &lt;pad&gt; and &lt;unk&gt; included (0: all).</summary>
    [JsonPropertyName("max_vocab")] public int MaxVocab { get; init; }

    /// <summary>In training, a word seen once in the training data is replaced by &lt;unk&gt; with this probability, so &lt;unk&gt; learns a useful row.</summary>
    [JsonPropertyName("word_dropout")] public float WordDropout { get; init; }

    /// <summary>Characters, including <c>&lt;pad&gt;</c> and <c>&lt;unk&gt;</c>; set from the data.</summary>
    [JsonPropertyName("char_vocab_size")] public int CharVocabSize { get; init; } = 2;

    /// <summary>Character embedding width; 0 for no character input.</summary>
    [JsonPropertyName("char_embedding_size")] public int CharEmbeddingSize { get; init; }

    /// <summary>Units per direction of the character BiLSTM; the word gets both final states (2 × this).</summary>
    [JsonPropertyName("char_hidden_size")] public int CharHiddenSize { get; init; } = 25;

    /// <summary>Longer words are read as their first ⌈n/2⌉ and last ⌊n/2⌋ characters.</summary>
    [JsonPropertyName("max_word_chars")] public int MaxWordChars { get; init; } = 30;

    /// <summary>Values of each extra feature column, including <c>&lt;pad&gt;</c> and <c>&lt;unk&gt;</c>; set from the data (empty: none used).</summary>
    [JsonPropertyName("feature_vocab_sizes")] public int[] FeatureVocabSizes { get; init; } = [];

    /// <summary>Embedding width of each feature column; 0 to ignore feature columns.</summary>
    [JsonPropertyName("feature_embedding_size")] public int FeatureEmbeddingSize { get; init; } = 20;

    /// <summary>Floats per token of dense input (128 for OCR letters); 0 for none. Set from the data.</summary>
    [JsonPropertyName("frame_size")] public int FrameSize { get; init; }

    /// <summary>The recurrent cell.</summary>
    [JsonPropertyName("cell")] public CellKind Cell { get; init; } = CellKind.Lstm;

    /// <summary>Units per recurrent layer (per direction).</summary>
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 128;

    /// <summary>Number of stacked recurrent layers.</summary>
    [JsonPropertyName("num_layers")] public int NumLayers { get; init; } = 1;

    /// <summary>Each layer reads the sentence both ways; its output is [forward, backward].</summary>
    [JsonPropertyName("bidirectional")] public bool Bidirectional { get; init; } = true;

    /// <summary>Recurrent weights start uniform in [−s, s].</summary>
    [JsonPropertyName("init_scale")] public float InitScale { get; init; } = 0.1f;

    /// <summary>Added to the LSTM forget gate.</summary>
    [JsonPropertyName("forget_bias")] public float ForgetBias { get; init; } = 1f;

    /// <summary>Dropout keep probability on the token inputs, between stacked layers and on the top layer's output (1: none).</summary>
    [JsonPropertyName("keep_prob")] public float KeepProb { get; init; } = 1f;

    /// <summary>
    /// Weight of Rei (2017)'s secondary objective, in training only: from the top bidirectional layer, the forward half
    /// of each token's state predicts the next word and the backward half the previous one (0: off). Needs one
    /// bidirectional layer and word input. The reported training loss stays the tag loss alone.
    /// </summary>
    [JsonPropertyName("lm_weight")] public float LmWeight { get; init; }

    /// <summary>The neighbour-word objective predicts the this many most frequent training words; the others share one class.</summary>
    [JsonPropertyName("lm_vocab")] public int LmVocab { get; init; } = 7500;

    /// <summary>Tanh units between each direction's state and the neighbour-word softmax.</summary>
    [JsonPropertyName("lm_hidden_size")] public int LmHiddenSize { get; init; } = 50;

    /// <summary>A softmax per token, or a linear-chain CRF over the sentence.</summary>
    [JsonPropertyName("output")] public TaggerOutput Output { get; init; } = TaggerOutput.Softmax;

    /// <summary>How chunk tags are encoded for the model (none, BIO or IOBES); predictions are written back as the data writes them.</summary>
    [JsonPropertyName("tag_encoding")] public TagEncoding TagEncoding { get; init; } = TagEncoding.None;

    /// <summary>With a CRF and chunk tags, forbid the transitions the encoding makes impossible.</summary>
    [JsonPropertyName("constrained")] public bool Constrained { get; init; } = true;

    /// <summary>Tags the model predicts (in its encoding); set from the data.</summary>
    [JsonPropertyName("tags")] public int Tags { get; init; } = 2;

    /// <summary>CoNLL column files: the tag column, 0-based, or negative from the right (−1: the last).</summary>
    [JsonPropertyName("tag_column")] public int TagColumn { get; init; } = -1;

    /// <summary>CoNLL-U files: tag UPOS or XPOS.</summary>
    [JsonPropertyName("conllu_tag")] public ConllUTagField ConllUTag { get; init; } = ConllUTagField.Upos;

    /// <summary>The optimizer.</summary>
    [JsonPropertyName("optimizer")] public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Initial learning rate.</summary>
    [JsonPropertyName("learning_rate")] public float LearningRate { get; init; } = 0.001f;

    /// <summary>Learning-rate factor per epoch (1: constant).</summary>
    [JsonPropertyName("lr_decay")] public float LrDecay { get; init; } = 1f;

    /// <summary>Gradients are clipped to this global norm (0: none).</summary>
    [JsonPropertyName("max_grad_norm")] public float MaxGradNorm { get; init; } = 5f;

    /// <summary>Sentences per batch.</summary>
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; } = 16;

    /// <summary>Training epochs.</summary>
    [JsonPropertyName("epochs")] public int Epochs { get; init; } = 10;

    /// <summary>Validation metric that picks the best checkpoint: auto (F1 for chunk tags, else accuracy), loss, accuracy, f1, letter_error or word_error.</summary>
    [JsonPropertyName("selection_metric")] public string SelectionMetric { get; init; } = "auto";

    /// <summary>Stop after this many epochs without a better selection metric (0: never).</summary>
    [JsonPropertyName("patience")] public int Patience { get; init; }

    /// <summary>Share of the training sentences held out for validation when the data has no development file.</summary>
    [JsonPropertyName("valid_fraction")] public double ValidFraction { get; init; } = 0.1;

    /// <summary>Share of the sentences held out as the test set when the data has no test file (OCR: the book's 34 %).</summary>
    [JsonPropertyName("test_fraction")] public double TestFraction { get; init; } = 0.1;

    /// <summary>OCR letters: test on this cross-validation fold and train on the others, instead of a random split (−1: random split).</summary>
    [JsonPropertyName("test_fold")] public int TestFold { get; init; } = -1;

    /// <summary>Seed for initialisation, dropout, shuffling and the splits: a run is reproducible from it.</summary>
    [JsonPropertyName("seed")] public ulong Seed { get; init; } = 1;

    /// <summary>Features per token fed to the recurrent layers.</summary>
    [JsonIgnore]
    public int InputSize => WordEmbeddingSize + (CharEmbeddingSize > 0 ? 2 * CharHiddenSize : 0)
        + (FeatureEmbeddingSize > 0 ? FeatureVocabSizes.Length * FeatureEmbeddingSize : 0) + FrameSize;

    /// <summary>Width of the top recurrent layer's output.</summary>
    [JsonIgnore] public int RecurrentOutputSize => Bidirectional ? 2 * HiddenSize : HiddenSize;

    /// <summary>Whether feature columns are embedded.</summary>
    [JsonIgnore] public bool UsesFeatures => FeatureEmbeddingSize > 0 && FeatureVocabSizes.Length > 0;

    /// <summary>Which inputs the vocabularies prepare, and how words and tags are prepared.</summary>
    public TaggingOptions TaggingOptions() => new()
    {
        Words = WordEmbeddingSize > 0,
        Characters = CharEmbeddingSize > 0,
        Features = FeatureEmbeddingSize > 0,
        FrameSize = FrameSize,
        Lowercase = Lowercase,
        ZeroDigits = ZeroDigits,
        MaxWordChars = MaxWordChars,
        TagEncoding = TagEncoding,
        MinCount = MinCount,
        MaxVocab = MaxVocab,
    };

    /// <summary>How the corpus files are read.</summary>
    public LabelledReadOptions ReadOptions() => new(TagColumn, ConllUTag);

    /// <summary>How a corpus without its own test or development file is split.</summary>
    public TaggingSplitOptions SplitOptions() => new(ValidFraction, TestFraction, TestFold, Seed);

    /// <summary>The trainer's settings; <paramref name="selectionMetric"/> is the resolved <see cref="SelectionMetric"/>.</summary>
    public TrainingSettings TrainingSettings(string selectionMetric) => new()
    {
        Optimizer = Optimizer,
        LearningRate = LearningRate,
        LrDecay = LrDecay,
        Epochs = Epochs,
        MaxGradNorm = MaxGradNorm,
        SelectionMetric = selectionMetric,
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
        Require(WordEmbeddingSize >= 0, "word_embedding_size", "zero or positive", WordEmbeddingSize);
        Require(EmbeddingInitScale > 0, "embedding_init_scale", "positive", EmbeddingInitScale);
        Require(MinCount >= 1, "min_count", "at least 1", MinCount);
        Require(MaxVocab == 0 || MaxVocab >= 3, "max_vocab", "0 (no limit) or at least 3", MaxVocab);
        Require(WordDropout >= 0 && WordDropout < 1, "word_dropout", "in [0, 1)", WordDropout);
        Require(CharVocabSize >= 2, "char_vocab_size", "at least 2", CharVocabSize);
        Require(CharEmbeddingSize >= 0, "char_embedding_size", "zero or positive", CharEmbeddingSize);
        Require(CharEmbeddingSize == 0 || CharHiddenSize >= 1, "char_hidden_size", "at least 1", CharHiddenSize);
        Require(MaxWordChars >= 2, "max_word_chars", "at least 2", MaxWordChars);
        Require(FeatureVocabSizes is not null && FeatureVocabSizes.All(v => v >= 2), "feature_vocab_sizes", "a list of sizes of at least 2", FeatureVocabSizes is null ? "null" : $"[{string.Join(", ", FeatureVocabSizes)}]");
        Require(FeatureEmbeddingSize >= 0, "feature_embedding_size", "zero or positive", FeatureEmbeddingSize);
        Require(FrameSize >= 0, "frame_size", "zero or positive", FrameSize);
        Require(InputSize >= 1, "word_embedding_size", "positive (or characters, features or frames as input)", "no input at all");
        Require(Cell is CellKind.Lstm or CellKind.Gru, "cell", "lstm or gru", Cell);
        Require(HiddenSize >= 1, "hidden_size", "at least 1", HiddenSize);
        Require(NumLayers >= 1, "num_layers", "at least 1", NumLayers);
        Require(InitScale > 0, "init_scale", "positive", InitScale);
        Require(KeepProb > 0 && KeepProb <= 1, "keep_prob", "in (0, 1]", KeepProb);
        Require(LmWeight >= 0, "lm_weight", "zero or positive", LmWeight);
        if (LmWeight > 0)
        {
            Require(Bidirectional && NumLayers == 1, "lm_weight", "0 unless the tagger has one bidirectional layer (a second layer's forward half has seen the next word; --lm-weight 0 turns the objective off)", LmWeight);
            Require(WordEmbeddingSize > 0, "lm_weight", "0 without word input (it predicts words; --lm-weight 0 turns the objective off)", LmWeight);
            Require(LmVocab >= 1, "lm_vocab", "at least 1", LmVocab);
            Require(LmHiddenSize >= 1, "lm_hidden_size", "at least 1", LmHiddenSize);
        }
        Require(Tags >= 1, "tags", "at least 1", Tags);
        Require(LearningRate > 0, "learning_rate", "positive", LearningRate);
        Require(LrDecay > 0, "lr_decay", "positive", LrDecay);
        Require(MaxGradNorm >= 0, "max_grad_norm", "zero or positive", MaxGradNorm);
        Require(BatchSize >= 1, "batch_size", "at least 1", BatchSize);
        Require(Epochs >= 1, "epochs", "at least 1", Epochs);
        Require(SelectionMetric is "auto" or "loss" or "accuracy" or "f1" or "letter_error" or "word_error", "selection_metric",
            "auto, loss, accuracy, f1, letter_error or word_error", SelectionMetric);
        Require(Patience >= 0, "patience", "zero or positive", Patience);
        Require(ValidFraction > 0 && ValidFraction < 1, "valid_fraction", "in (0, 1)", ValidFraction);
        Require(TestFraction > 0 && TestFraction < 1, "test_fraction", "in (0, 1)", TestFraction);
        Require(TestFold >= -1, "test_fold", "−1 (a random split) or a fold number", TestFold);
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
    public static SequenceTaggerConfig FromJson(string json, string source)
    {
        SequenceTaggerConfig config = ConfigJson.Read<SequenceTaggerConfig>(json, source, JsonOptions, "tagger config");
        config.Validate();
        return config;
    }

    /// <summary>Applies the settings present in a JSON object on top of this config; unknown names are an error.</summary>
    public SequenceTaggerConfig Overlay(string json, string source) => ConfigJson.Overlay(this, json, source, JsonOptions, FromJson);

    /// <summary>Equality by value, the feature sizes included (a record compares arrays by reference).</summary>
    public bool Equals(SequenceTaggerConfig? other) => other is not null && ToJson() == other.ToJson();

    /// <summary>A hash of the JSON form, consistent with <see cref="Equals(SequenceTaggerConfig)"/>.</summary>
    public override int GetHashCode() => ToJson().GetHashCode(StringComparison.Ordinal);
}
