using System.CommandLine;
using Recurrent.Models;

namespace Recurrent.Cli.Commands;

/// <summary>
/// The hyper-parameter options shared by <c>lm train</c> and <c>char train</c>: a preset, then a JSON
/// config file that overlays it, then single options that override both.
/// </summary>
public sealed class ModelConfigOptions
{
    public Option<FileInfo?> ConfigFile { get; } = new("--config") { Description = "JSON file of settings (ptb_word_lm.py names: init_scale, learning_rate, num_layers, …) applied over the preset." };
    public Option<float?> InitScale { get; } = new("--init-scale") { Description = "Uniform initialisation range [-s, s]." };
    public Option<float?> LearningRate { get; } = new("--learning-rate", "--lr") { Description = "Initial learning rate." };
    public Option<float?> MaxGradNorm { get; } = new("--max-grad-norm") { Description = "Clip gradients to this global norm (0: no clipping)." };
    public Option<int?> NumLayers { get; } = new("--num-layers") { Description = "Recurrent layers." };
    public Option<int?> NumSteps { get; } = new("--num-steps") { Description = "Truncated-BPTT steps per batch." };
    public Option<int?> HiddenSize { get; } = new("--hidden-size") { Description = "Units per recurrent layer." };
    public Option<int?> EmbeddingSize { get; } = new("--embedding-size") { Description = "Embedding width (default: the hidden size)." };
    public Option<int?> MaxEpoch { get; } = new("--max-epoch") { Description = "Epochs at the initial learning rate before decay." };
    public Option<int?> Epochs { get; } = new("--max-max-epoch", "--epochs") { Description = "Total training epochs." };
    public Option<float?> KeepProb { get; } = new("--keep-prob") { Description = "Dropout keep probability (1: no dropout)." };
    public Option<float?> LrDecay { get; } = new("--lr-decay") { Description = "Learning-rate factor per epoch after --max-epoch." };
    public Option<int?> BatchSize { get; } = new("--batch-size") { Description = "Sequences per batch." };
    public Option<CellKind?> Cell { get; } = new("--cell") { Description = "Recurrent cell: lstm, gru or rnn." };
    public Option<float?> ForgetBias { get; } = new("--forget-bias") { Description = "Added to the LSTM forget gate." };
    public Option<OptimizerKind?> Optimizer { get; } = new("--optimizer") { Description = "sgd, momentum, adam or rmsprop." };
    public Option<bool?> VariationalDropout { get; } = new("--variational-dropout") { Description = "Same dropout mask at every time step." };
    public Option<ulong?> Seed { get; } = new("--seed") { Description = "Random seed: a run is reproducible from it." };

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in All()) command.Options.Add(option);
    }

    /// <summary>The options a resumed run refuses: every one but <c>--epochs</c>.</summary>
    public IEnumerable<Option> FixedOnResume => All().Where(o => o != Epochs);

    private IEnumerable<Option> All() =>
    [
        ConfigFile, InitScale, LearningRate, MaxGradNorm, NumLayers, NumSteps, HiddenSize, EmbeddingSize, MaxEpoch, Epochs,
        KeepProb, LrDecay, BatchSize, Cell, ForgetBias, Optimizer, VariationalDropout, Seed,
    ];

    /// <summary>The preset, overlaid by the config file, overridden by the single options.</summary>
    public LanguageModelConfig Resolve(ParseResult result, LanguageModelConfig preset)
    {
        LanguageModelConfig config = preset;
        if (result.GetValue(ConfigFile) is { } file)
        {
            if (!file.Exists) throw new RecurrentException($"--config: file '{file.FullName}' does not exist.");
            config = config.Overlay(File.ReadAllText(file.FullName), file.FullName);
        }
        config = config with
        {
            InitScale = result.GetValue(InitScale) ?? config.InitScale,
            LearningRate = result.GetValue(LearningRate) ?? config.LearningRate,
            MaxGradNorm = result.GetValue(MaxGradNorm) ?? config.MaxGradNorm,
            NumLayers = result.GetValue(NumLayers) ?? config.NumLayers,
            NumSteps = result.GetValue(NumSteps) ?? config.NumSteps,
            HiddenSize = result.GetValue(HiddenSize) ?? config.HiddenSize,
            EmbeddingSize = result.GetValue(EmbeddingSize) ?? config.EmbeddingSize,
            MaxEpoch = result.GetValue(MaxEpoch) ?? config.MaxEpoch,
            MaxMaxEpoch = result.GetValue(Epochs) ?? config.MaxMaxEpoch,
            KeepProb = result.GetValue(KeepProb) ?? config.KeepProb,
            LrDecay = result.GetValue(LrDecay) ?? config.LrDecay,
            BatchSize = result.GetValue(BatchSize) ?? config.BatchSize,
            Cell = result.GetValue(Cell) ?? config.Cell,
            ForgetBias = result.GetValue(ForgetBias) ?? config.ForgetBias,
            Optimizer = result.GetValue(Optimizer) ?? config.Optimizer,
            VariationalDropout = result.GetValue(VariationalDropout) ?? config.VariationalDropout,
            Seed = result.GetValue(Seed) ?? config.Seed,
        };
        config.Validate();
        return config;
    }
}
