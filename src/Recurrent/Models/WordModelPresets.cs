namespace Recurrent.Models;

/// <summary>
/// The configurations of TensorFlow's <c>ptb_word_lm.py</c> (Zaremba, Sutskever and Vinyals, 2014),
/// value for value: SGD, uniform initialisation, forget bias 0, global-norm clipping, step decay.
/// </summary>
public static class WordModelPresets
{
    /// <summary>Non-regularised 2 × 200 LSTM: test perplexity 114.5 in the paper, 115.9 in the tutorial.</summary>
    public static LanguageModelConfig Small { get; } = new()
    {
        InitScale = 0.1f, LearningRate = 1.0f, MaxGradNorm = 5, NumLayers = 2, NumSteps = 20, HiddenSize = 200,
        MaxEpoch = 4, MaxMaxEpoch = 13, KeepProb = 1.0f, LrDecay = 0.5f, BatchSize = 20, VocabSize = 10000,
    };

    /// <summary>2 × 650 LSTM with dropout 0.5: test perplexity 82.7 in the paper.</summary>
    public static LanguageModelConfig Medium { get; } = new()
    {
        InitScale = 0.05f, LearningRate = 1.0f, MaxGradNorm = 5, NumLayers = 2, NumSteps = 35, HiddenSize = 650,
        MaxEpoch = 6, MaxMaxEpoch = 39, KeepProb = 0.5f, LrDecay = 0.8f, BatchSize = 20, VocabSize = 10000,
    };

    /// <summary>2 × 1500 LSTM with dropout 0.65: test perplexity 78.4 in the paper.</summary>
    public static LanguageModelConfig Large { get; } = new()
    {
        InitScale = 0.04f, LearningRate = 1.0f, MaxGradNorm = 10, NumLayers = 2, NumSteps = 35, HiddenSize = 1500,
        MaxEpoch = 14, MaxMaxEpoch = 55, KeepProb = 0.35f, LrDecay = 1 / 1.15f, BatchSize = 20, VocabSize = 10000,
    };

    /// <summary>ptb_word_lm.py's TestConfig: a 1 × 2 LSTM for one epoch, to check the plumbing.</summary>
    public static LanguageModelConfig Test { get; } = new()
    {
        InitScale = 0.1f, LearningRate = 1.0f, MaxGradNorm = 1, NumLayers = 1, NumSteps = 2, HiddenSize = 2,
        MaxEpoch = 1, MaxMaxEpoch = 1, KeepProb = 1.0f, LrDecay = 0.5f, BatchSize = 20, VocabSize = 10000,
    };

    /// <summary>Preset names, as the CLI's <c>--preset</c> takes them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["small", "medium", "large", "test"];

    /// <summary>The preset called <paramref name="name"/> (case-insensitive).</summary>
    public static LanguageModelConfig Get(string name) => name.ToLowerInvariant() switch
    {
        "small" => Small,
        "medium" => Medium,
        "large" => Large,
        "test" => Test,
        _ => throw new RecurrentException($"Unknown preset '{name}'. Expected one of: {string.Join(", ", Names)}."),
    };
}
