using System.CommandLine;
using Recurrent.Data.Classification;
using Recurrent.Models;

namespace Recurrent.Cli.Commands;

/// <summary>
/// The classifier's hyper-parameter options: a preset, then a JSON config file that overlays it, then single
/// options that override both (the same order as the language models' <see cref="ModelConfigOptions"/>).
/// </summary>
public sealed class ClassifierOptions
{
    public Option<string> Preset { get; } = new("--preset") { Description = $"Hyper-parameters: {string.Join(", ", SequenceClassifierPresets.Names)}.", DefaultValueFactory = _ => "default" };
    public Option<FileInfo?> ConfigFile { get; } = new("--config") { Description = "JSON file of settings (hidden_size, cell, head, max_length, …) applied over the preset." };
    public Option<int?> Epochs { get; } = new("--epochs") { Description = "Training epochs." };
    public Option<int?> BatchSize { get; } = new("--batch-size") { Description = "Examples per batch." };
    public Option<float?> LearningRate { get; } = new("--learning-rate", "--lr") { Description = "Learning rate." };
    public Option<OptimizerKind?> Optimizer { get; } = new("--optimizer") { Description = "sgd, momentum, adam or rmsprop." };
    public Option<CellKind?> Cell { get; } = new("--cell") { Description = "Recurrent cell: lstm, gru or rnn." };
    public Option<int?> HiddenSize { get; } = new("--hidden-size") { Description = "Units per recurrent layer (per direction)." };
    public Option<int?> NumLayers { get; } = new("--num-layers") { Description = "Recurrent layers." };
    public Option<bool?> Bidirectional { get; } = new("--bidirectional") { Description = "Read each text both ways." };
    public Option<ClassifierHead?> Head { get; } = new("--head") { Description = "last, mean, max or bilast (bidirectional: forward's last and backward's first output)." };
    public Option<int?> EmbeddingSize { get; } = new("--embedding-size") { Description = "Embedding width (pretrained vectors set it)." };
    public Option<float?> KeepProb { get; } = new("--keep-prob") { Description = "Dropout keep probability on the head's output (1: none)." };
    public Option<float?> InputKeepProb { get; } = new("--input-keep-prob") { Description = "Dropout keep probability on the embedded input (1: none)." };
    public Option<int?> PretrainEpochs { get; } = new("--pretrain-epochs") { Description = "Skip-gram passes over the training texts (validation part included, labels unused) that start the embedding (0: random start; default preset 5; ignored with --embeddings)." };
    public Option<int?> MaxLength { get; } = new("--max-length") { Description = "Cut texts to this many tokens (0: no limit)." };
    public Option<TruncationSide?> Truncate { get; } = new("--truncate") { Description = "keepstart or keepend: which part of a long text is kept." };
    public Option<int?> MaxVocab { get; } = new("--max-vocab") { Description = "At most this many words from the training split (0: all)." };
    public Option<int?> MinCount { get; } = new("--min-count") { Description = "Words seen fewer times in training become <unk>." };
    public Option<float?> MaxGradNorm { get; } = new("--max-grad-norm") { Description = "Clip gradients to this global norm (0: no clipping)." };
    public Option<string?> SelectionMetric { get; } = new("--selection-metric") { Description = "Validation metric that picks the best checkpoint: accuracy, macro_f1 or loss." };
    public Option<int?> Patience { get; } = new("--patience") { Description = "Stop after this many epochs without a better validation metric (0: never)." };
    public Option<double?> ValidFraction { get; } = new("--valid-fraction") { Description = "Share of the training data held out (stratified) for validation." };
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
        Preset, ConfigFile, Epochs, BatchSize, LearningRate, Optimizer, Cell, HiddenSize, NumLayers, Bidirectional, Head, EmbeddingSize,
        KeepProb, InputKeepProb, PretrainEpochs, MaxLength, Truncate, MaxVocab, MinCount, MaxGradNorm, SelectionMetric, Patience, ValidFraction, FreezeEmbeddings, Seed,
    ];

    /// <summary>The preset, overlaid by the config file, overridden by the single options (not yet validated: vocabulary and classes come later).</summary>
    public SequenceClassifierConfig Resolve(ParseResult result)
    {
        SequenceClassifierConfig config = SequenceClassifierPresets.Get(result.GetValue(Preset)!);
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
            Head = result.GetValue(Head) ?? config.Head,
            EmbeddingSize = result.GetValue(EmbeddingSize) ?? config.EmbeddingSize,
            KeepProb = result.GetValue(KeepProb) ?? config.KeepProb,
            InputKeepProb = result.GetValue(InputKeepProb) ?? config.InputKeepProb,
            PretrainEpochs = result.GetValue(PretrainEpochs) ?? config.PretrainEpochs,
            MaxLength = result.GetValue(MaxLength) ?? config.MaxLength,
            Truncate = result.GetValue(Truncate) ?? config.Truncate,
            MaxVocab = result.GetValue(MaxVocab) ?? config.MaxVocab,
            MinCount = result.GetValue(MinCount) ?? config.MinCount,
            MaxGradNorm = result.GetValue(MaxGradNorm) ?? config.MaxGradNorm,
            SelectionMetric = result.GetValue(SelectionMetric) ?? config.SelectionMetric,
            Patience = result.GetValue(Patience) ?? config.Patience,
            ValidFraction = result.GetValue(ValidFraction) ?? config.ValidFraction,
            FreezeEmbeddings = result.GetValue(FreezeEmbeddings) ?? config.FreezeEmbeddings,
            Seed = result.GetValue(Seed) ?? config.Seed,
        };
    }
}
