using System.CommandLine;
using Recurrent.Data.Labelling;
using Recurrent.Models;

namespace Recurrent.Cli.Commands;

/// <summary>
/// The tagger's hyper-parameter options: a preset, then a JSON config file that overlays it, then single options
/// that override both (the order of <see cref="ClassifierOptions"/>).
/// </summary>
public sealed class TaggerOptions
{
    public Option<string?> Preset { get; } = new("--preset") { Description = $"Hyper-parameters: {string.Join(", ", SequenceTaggerPresets.Names)} (default: told from the data: tfmi-ocr for OCR letters, pos for CoNLL-U, chunk for CoNLL columns)." };
    public Option<FileInfo?> ConfigFile { get; } = new("--config") { Description = "JSON file of settings (hidden_size, output, tag_encoding, char_embedding_size, …) applied over the preset." };
    public Option<int?> Epochs { get; } = new("--epochs") { Description = "Training epochs." };
    public Option<int?> BatchSize { get; } = new("--batch-size") { Description = "Sentences per batch." };
    public Option<float?> LearningRate { get; } = new("--learning-rate", "--lr") { Description = "Learning rate." };
    public Option<OptimizerKind?> Optimizer { get; } = new("--optimizer") { Description = "sgd, momentum, adam or rmsprop." };
    public Option<CellKind?> Cell { get; } = new("--cell") { Description = "Recurrent cell: lstm or gru." };
    public Option<int?> HiddenSize { get; } = new("--hidden-size") { Description = "Units per recurrent layer (per direction)." };
    public Option<int?> NumLayers { get; } = new("--num-layers") { Description = "Recurrent layers." };
    public Option<bool?> Bidirectional { get; } = new("--bidirectional") { Description = "Read each sentence both ways." };
    public Option<TaggerOutput?> Output { get; } = new("--output") { Description = "softmax (one per token) or crf (over the sentence)." };
    public Option<TagEncoding?> TagEncoding { get; } = new("--tag-encoding") { Description = "none, bio or iobes: how chunk tags are learned (reports keep the data's BIO)." };
    public Option<int?> WordEmbeddingSize { get; } = new("--word-embedding-size") { Description = "Word embedding width, 0 for none (pretrained vectors set it)." };
    public Option<int?> CharEmbeddingSize { get; } = new("--char-embedding-size") { Description = "Character embedding width, 0 for no character BiLSTM." };
    public Option<int?> CharHiddenSize { get; } = new("--char-hidden-size") { Description = "Units per direction of the character BiLSTM." };
    public Option<int?> FeatureEmbeddingSize { get; } = new("--feature-embedding-size") { Description = "Embedding width of each extra column (POS), 0 to ignore them." };
    public Option<float?> KeepProb { get; } = new("--keep-prob") { Description = "Dropout keep probability on inputs, between layers and on the output (1: none)." };
    public Option<float?> WordDropout { get; } = new("--word-dropout") { Description = "Probability of replacing a word seen once in training by <unk>." };
    public Option<float?> LmWeight { get; } = new("--lm-weight") { Description = "Weight of the neighbour-word objective (Rei 2017): the forward states predict the next word, the backward the previous one (0: off)." };
    public Option<float?> MaxGradNorm { get; } = new("--max-grad-norm") { Description = "Clip gradients to this global norm (0: no clipping)." };
    public Option<string?> SelectionMetric { get; } = new("--selection-metric") { Description = "Validation metric that picks the best checkpoint: auto, accuracy, f1, letter_error, word_error or loss." };
    public Option<int?> Patience { get; } = new("--patience") { Description = "Stop after this many epochs without a better validation metric (0: never)." };
    public Option<double?> ValidFraction { get; } = new("--valid-fraction") { Description = "Share of the training sentences held out for validation when there is no dev file." };
    public Option<double?> TestFraction { get; } = new("--test-fraction") { Description = "Share of the sentences held out for testing when there is no test file." };
    public Option<int?> Fold { get; } = new("--fold") { Description = "OCR letters: test on this fold (0–9), train on the others, instead of a random split." };
    public Option<int?> TagColumn { get; } = new("--tag-column") { Description = "CoNLL column files: the tag column, 0-based or negative from the right (default −1: the last)." };
    public Option<ConllUTagField?> ConllUTag { get; } = new("--conllu-tag") { Description = "CoNLL-U files: upos or xpos." };
    public Option<bool?> FreezeEmbeddings { get; } = new("--freeze-embeddings") { Description = "Keep pretrained vectors fixed." };
    public Option<ulong?> Seed { get; } = new("--seed") { Description = "Random seed: a run is reproducible from it." };

    public void AddTo(Command command)
    {
        foreach (Option option in All()) command.Options.Add(option);
    }

    /// <summary>The options a resumed run refuses: all but <c>--epochs</c>.</summary>
    public IEnumerable<Option> FixedOnResume => All().Where(o => o != Epochs);

    private IEnumerable<Option> All() =>
    [
        Preset, ConfigFile, Epochs, BatchSize, LearningRate, Optimizer, Cell, HiddenSize, NumLayers, Bidirectional, Output, TagEncoding,
        WordEmbeddingSize, CharEmbeddingSize, CharHiddenSize, FeatureEmbeddingSize, KeepProb, WordDropout, LmWeight, MaxGradNorm, SelectionMetric,
        Patience, ValidFraction, TestFraction, Fold, TagColumn, ConllUTag, FreezeEmbeddings, Seed,
    ];

    /// <summary>The preset named by <c>--preset</c>, or the one the data's format calls for.</summary>
    public string PresetName(ParseResult result, string? dataPath)
    {
        if (result.GetValue(Preset) is { } name) return name;
        if (dataPath is null)
            throw new RecurrentException($"Give --data PATH (CoNLL columns, CoNLL-U or OCR letters) or a --preset ({string.Join(", ", SequenceTaggerPresets.Names)}) to train on its dataset from the cache.");
        return LabelledCorpusFiles.FormatOf(LabelledCorpusFiles.Find(dataPath).Train) switch
        {
            LabelledFormat.OcrLetters => "tfmi-ocr",
            LabelledFormat.ConllU => "pos",
            _ => "chunk",
        };
    }

    /// <summary>The preset, overlaid by the config file, overridden by the single options (sizes from the data come later).</summary>
    public SequenceTaggerConfig Resolve(ParseResult result, string preset)
    {
        SequenceTaggerConfig config = SequenceTaggerPresets.Get(preset);
        if (result.GetValue(ConfigFile) is { } file)
        {
            if (!file.Exists) throw new RecurrentException($"--config: file '{file.FullName}' does not exist.");
            config = config.Overlay(File.ReadAllText(file.FullName), file.FullName);
        }
        return config with
        {
            Epochs = result.GetValue(Epochs) ?? config.Epochs,
            BatchSize = result.GetValue(BatchSize) ?? config.BatchSize,
            LearningRate = result.GetValue(LearningRate) ?? config.LearningRate,
            Optimizer = result.GetValue(Optimizer) ?? config.Optimizer,
            Cell = result.GetValue(Cell) ?? config.Cell,
            HiddenSize = result.GetValue(HiddenSize) ?? config.HiddenSize,
            NumLayers = result.GetValue(NumLayers) ?? config.NumLayers,
            Bidirectional = result.GetValue(Bidirectional) ?? config.Bidirectional,
            Output = result.GetValue(Output) ?? config.Output,
            TagEncoding = result.GetValue(TagEncoding) ?? config.TagEncoding,
            WordEmbeddingSize = result.GetValue(WordEmbeddingSize) ?? config.WordEmbeddingSize,
            CharEmbeddingSize = result.GetValue(CharEmbeddingSize) ?? config.CharEmbeddingSize,
            CharHiddenSize = result.GetValue(CharHiddenSize) ?? config.CharHiddenSize,
            FeatureEmbeddingSize = result.GetValue(FeatureEmbeddingSize) ?? config.FeatureEmbeddingSize,
            KeepProb = result.GetValue(KeepProb) ?? config.KeepProb,
            WordDropout = result.GetValue(WordDropout) ?? config.WordDropout,
            LmWeight = result.GetValue(LmWeight) ?? config.LmWeight,
            MaxGradNorm = result.GetValue(MaxGradNorm) ?? config.MaxGradNorm,
            SelectionMetric = result.GetValue(SelectionMetric) ?? config.SelectionMetric,
            Patience = result.GetValue(Patience) ?? config.Patience,
            ValidFraction = result.GetValue(ValidFraction) ?? config.ValidFraction,
            TestFraction = result.GetValue(TestFraction) ?? config.TestFraction,
            TestFold = result.GetValue(Fold) ?? config.TestFold,
            TagColumn = result.GetValue(TagColumn) ?? config.TagColumn,
            ConllUTag = result.GetValue(ConllUTag) ?? config.ConllUTag,
            FreezeEmbeddings = result.GetValue(FreezeEmbeddings) ?? config.FreezeEmbeddings,
            Seed = result.GetValue(Seed) ?? config.Seed,
        };
    }
}
