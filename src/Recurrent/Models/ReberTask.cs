using Recurrent.Data;
using Recurrent.Layers;

namespace Recurrent.Models;

/// <summary>
/// The embedded Reber grammar as a character language-modelling task: the model reads a stream of embedded
/// strings, one per line, and predicts each next symbol. Scored as Hochreiter and Schmidhuber scored it:
/// how often the most probable symbol is one the grammar allows, and how often the model predicts the
/// symbol that must repeat the string's second one, the prediction that needs memory.
/// </summary>
internal static class ReberTask
{
    /// <summary>The symbols and the line separator, in id order.</summary>
    public static Vocabulary CreateVocabulary()
    {
        var tokens = new List<string>();
        foreach (char c in ReberGrammar.Alphabet) tokens.Add(c.ToString());
        tokens.Add("\n");
        return new Vocabulary(tokens);
    }

    /// <summary>A stream of <paramref name="count"/> embedded strings, each followed by a newline, as token ids.</summary>
    public static int[] GenerateTokens(int count, ulong seed, Vocabulary vocabulary)
    {
        string text = ReberGrammar.GenerateEmbeddedCorpus(count, seed);
        var ids = new int[text.Length];
        for (int i = 0; i < text.Length; i++) ids[i] = vocabulary.IdOf(text[i].ToString());
        return ids;
    }

    /// <summary>A small character model that learns the task in seconds: one-hot input, one LSTM layer, Adam.</summary>
    public static LanguageModelConfig DefaultConfig(Vocabulary vocabulary) => new()
    {
        InitScale = 0.1f, LearningRate = 0.01f, MaxGradNorm = 5, NumLayers = 1, NumSteps = 25, HiddenSize = 32,
        MaxEpoch = 100, MaxMaxEpoch = 12, KeepProb = 1f, LrDecay = 1f, BatchSize = 16, VocabSize = vocabulary.Count,
        Cell = CellKind.Lstm, ForgetBias = 1f, OneHot = true, Optimizer = OptimizerKind.Adam, Seed = 1,
    };

    /// <summary>
    /// Scores <paramref name="model"/> on <paramref name="count"/> fresh strings. Each string is read from a
    /// zero state after a newline (the separator it follows in training), one symbol at a time.
    /// </summary>
    public static ReberScore Evaluate(LanguageModel model, Vocabulary vocabulary, int count, ulong seed)
    {
        var random = new Tensors.RandomGenerator(seed);
        var probabilities = new float[vocabulary.Count];
        int newline = vocabulary.IdOf("\n");
        int legal = 0, predictions = 0, memoryCorrect = 0;
        var input = new int[1];
        for (int s = 0; s < count; s++)
        {
            string text = ReberGrammar.GenerateEmbedded(random);
            RecurrentState state = model.CreateState(1);
            input[0] = newline;
            for (int p = 0; p < text.Length; p++)
            {
                model.PredictNext(input, state, probabilities);
                int best = ArgMax(probabilities);
                string predicted = vocabulary.WordOf(best);
                if (ReberGrammar.LegalNext(text.AsSpan(0, p)).Contains(predicted, StringComparison.Ordinal)) legal++;
                predictions++;
                if (p == text.Length - 2 && predicted[0] == text[p]) memoryCorrect++;
                input[0] = vocabulary.IdOf(text[p].ToString());
            }
        }
        return new ReberScore(count, (double)legal / predictions, (double)memoryCorrect / count);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}

/// <param name="Strings">Strings scored.</param>
/// <param name="LegalAccuracy">Fraction of positions whose most probable next symbol is allowed by the grammar.</param>
/// <param name="MemoryAccuracy">Fraction of strings whose second-to-last symbol (a repeat of the second) is predicted.</param>
internal sealed record ReberScore(int Strings, double LegalAccuracy, double MemoryAccuracy);
