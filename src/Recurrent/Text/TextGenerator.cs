using System.Text;
using Recurrent.Data;
using Recurrent.Layers;
using Recurrent.Models;

namespace Recurrent.Text;

/// <summary>
/// Generates a token sequence from a <see cref="LanguageModel"/>: the priming tokens are run through the model
/// in one call to set the recurrent state, then each sampled token is fed back on a single step (batch 1), and
/// handed to the caller as soon as it is drawn, so text can be shown while it is being written.
/// </summary>
public sealed class TextGenerator
{
    private readonly LanguageModel _model;
    private readonly float[] _probabilities;
    private readonly int[] _next = new int[1];

    /// <summary>A generator over <paramref name="model"/>, with a batch-1 state and buffers of its own.</summary>
    public TextGenerator(LanguageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _probabilities = new float[model.Config.VocabSize];
        State = model.CreateState(1);
    }

    /// <summary>The recurrent state after the last token fed in (batch 1); <see cref="Generate"/> starts from it.</summary>
    public RecurrentState State { get; }

    /// <summary>The distribution of the next token after everything fed so far (by <see cref="Prime"/> and <see cref="Feed"/>).</summary>
    public ReadOnlySpan<float> Probabilities => _probabilities;

    /// <summary>
    /// Clears the state and feeds <paramref name="prime"/> in one call: <see cref="Probabilities"/> then holds the
    /// distribution of the first token to draw. With <see cref="Feed"/>, generation can run one token at a time
    /// (a server interleaves requests between tokens).
    /// </summary>
    /// <exception cref="ArgumentException">The prime is empty.</exception>
    public void Prime(ReadOnlySpan<int> prime)
    {
        if (prime.IsEmpty) throw new ArgumentException("Generation needs at least one priming token.", nameof(prime));
        State.Clear();
        _model.PredictNext(prime, State, _probabilities);
    }

    /// <summary>Feeds one drawn token on a single step: <see cref="Probabilities"/> then holds what follows it.</summary>
    public void Feed(int token)
    {
        _next[0] = token;
        _model.PredictNext(_next, State, _probabilities);
    }

    /// <summary>
    /// Clears the state, feeds <paramref name="prime"/>, then draws <paramref name="count"/> tokens with
    /// <paramref name="sampler"/>, calling <paramref name="onToken"/> with each one as it is drawn.
    /// </summary>
    /// <exception cref="ArgumentException">The prime is empty.</exception>
    public void Generate(ReadOnlySpan<int> prime, int count, TokenSampler sampler, Action<int> onToken, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(onToken);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (prime.IsEmpty) throw new ArgumentException("Generation needs at least one priming token.", nameof(prime));
        if (count == 0)
        {
            State.Clear();
            return;
        }
        Prime(prime);
        for (int i = 0; i < count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            int token = sampler.Sample(_probabilities);
            onToken(token);
            if (i + 1 == count) break; // the last token needs no prediction after it
            Feed(token);
        }
    }

    /// <summary>
    /// Character generation: primes with <paramref name="prime"/> (every character must be in the vocabulary) and
    /// writes <paramref name="length"/> generated characters to <paramref name="output"/> one by one. The prime itself is not written.
    /// </summary>
    /// <exception cref="RecurrentException">The prime is empty or holds a character outside the vocabulary (named in the message).</exception>
    public void GenerateText(CharVocabulary vocabulary, string prime, int length, TokenSampler sampler, TextWriter output, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(output);
        if (vocabulary.Count != _model.Config.VocabSize)
            throw new RecurrentException($"The vocabulary has {vocabulary.Count} characters but the model predicts {_model.Config.VocabSize}.");
        if (string.IsNullOrEmpty(prime)) throw new RecurrentException("The priming text is empty: give at least one character to start from.");
        int[] ids = vocabulary.Encode(prime, mapUnknown: false, source: "The priming text");
        Generate(ids, length, sampler, id => output.Write(vocabulary.CharOf(id)), cancellation);
    }

    /// <summary>The generated characters as a string (tests and short samples).</summary>
    public string GenerateText(CharVocabulary vocabulary, string prime, int length, TokenSampler sampler)
    {
        var writer = new StringWriter(new StringBuilder(length * 2));
        GenerateText(vocabulary, prime, length, sampler, writer);
        return writer.ToString();
    }
}
