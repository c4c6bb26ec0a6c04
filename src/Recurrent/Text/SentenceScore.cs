using Recurrent.Layers;
using Recurrent.Models;

namespace Recurrent.Text;

/// <summary>
/// A text's score under a language model: <c>log p(text) = Σ_t log p(target_t | inputs_≤t)</c> in nats over its
/// <see cref="Tokens"/> targets, and the perplexity <c>exp(−log p / Tokens)</c>.
/// </summary>
public readonly record struct SentenceScore(double LogProbability, int Tokens)
{
    /// <summary><c>exp(−LogProbability / Tokens)</c>: the geometric mean of the inverse target probabilities.</summary>
    public double Perplexity => Math.Exp(-LogProbability / Tokens);

    /// <summary>Steps fed per model call: the model's buffers hold <c>steps × vocabulary</c> logits, so a long text is scored in windows that carry the state.</summary>
    internal const int StepsPerCall = 64;

    /// <summary>Scores one sequence (batch 1) from a zero state, as <see cref="TokenCodec.EncodeSentence"/> lays it out.</summary>
    public static SentenceScore Of(LanguageModel model, ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (inputs.Length == 0 || inputs.Length != targets.Length)
            throw new ArgumentException($"Expected as many targets as inputs (at least one), got {inputs.Length} and {targets.Length}.");
        RecurrentState state = model.CreateState(1);
        double loss = 0;
        for (int start = 0; start < inputs.Length; start += StepsPerCall)
        {
            int steps = Math.Min(StepsPerCall, inputs.Length - start);
            loss += model.EvaluateBatch(inputs.Slice(start, steps), targets.Slice(start, steps), steps, 1, state);
        }
        return new SentenceScore(-loss, targets.Length);
    }
}
