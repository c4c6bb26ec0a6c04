using System.Text;
using Recurrent.Text;
using Recurrent.Training;

namespace Recurrent.Models;

// The text-level entry points: a language model with its codec reads and writes strings. Each call runs batch 1 on
// the model's own buffers, so one model serves one thread at a time; CreateInference gives another (weights shared).
public sealed partial class LanguageModel
{
    private TokenCodec? _codec;

    /// <summary>
    /// Loads a word or character language model from a checkpoint file, or from a run folder (its best checkpoint,
    /// else its last), with the codec of the vocabulary it was trained on, ready for <see cref="NextTokens"/>,
    /// <see cref="Generate(string, int, float, int, ulong)"/> and <see cref="Score"/>.
    /// </summary>
    /// <param name="path">A <c>.ckpt</c> file or a run folder, as <c>recurrent lm train</c>, <c>char train</c> or a <see cref="Trainer"/> writes them.</param>
    /// <exception cref="RecurrentException">The path does not exist, is not a checkpoint, or holds another kind of model.</exception>
    public static LanguageModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        LoadedCheckpoint loaded = ModelCheckpoint.LoadFileOrRun(path);
        LanguageModel model = loaded.LanguageModel;
        model.Codec = TokenCodec.ForKind(loaded.Kind, loaded.VocabularyJson);
        return model;
    }

    /// <summary>
    /// How texts map to token ids: set by <see cref="Load"/>; for a model built from a config, set it to a
    /// <see cref="WordCodec"/> or <see cref="CharCodec"/> over the training vocabulary. Null until then.
    /// </summary>
    /// <exception cref="RecurrentException">The codec's token count is not the model's vocabulary size.</exception>
    public TokenCodec? Codec
    {
        get => _codec;
        set
        {
            if (value is not null && value.Count != Config.VocabSize)
                throw new RecurrentException($"The codec has {value.Count} tokens but the model predicts {Config.VocabSize}.");
            _codec = value;
        }
    }

    /// <summary>
    /// The <paramref name="count"/> most probable tokens after <paramref name="text"/>, most probable first (ties: lower
    /// ids first), as <c>recurrent lm next</c> lists them. A word model reads the text as a sentence that has just
    /// started; an empty text asks for the first token of a sentence (a line for characters).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no <see cref="Codec"/>.</exception>
    /// <exception cref="RecurrentException">A token of the text is not in the vocabulary (and it has no <c>&lt;unk&gt;</c>).</exception>
    public IReadOnlyList<TokenCandidate> NextTokens(string text, int count = 10)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        TokenCodec codec = RequireCodec();
        int[] context = codec.EncodeContext(text, "text");
        var probabilities = new float[Config.VocabSize];
        PredictNext(context, CreateState(1), probabilities);
        int[] ids = TopK.Indices(probabilities, count);
        var tokens = new TokenCandidate[ids.Length];
        for (int i = 0; i < ids.Length; i++) tokens[i] = new TokenCandidate(codec.Token(ids[i]), ids[i], probabilities[ids[i]]);
        return tokens;
    }

    /// <summary>
    /// Samples <paramref name="length"/> tokens after <paramref name="prime"/> and returns them as text (the prime not
    /// included): characters, or words each followed by a space (a new line for the end of a sentence).
    /// </summary>
    /// <param name="prime">Text to continue; empty starts a sentence (a line for characters). A character model needs every character of it in its vocabulary.</param>
    /// <param name="length">Tokens to generate.</param>
    /// <param name="temperature">Positive: below 1 sharpens the distribution, above 1 flattens it (see <see cref="TokenSampler"/>).</param>
    /// <param name="topK">Draw only among the k most probable tokens; 0 for all.</param>
    /// <param name="seed">The sampler's seed: the same seed gives the same text.</param>
    /// <exception cref="InvalidOperationException">The model has no <see cref="Codec"/>.</exception>
    /// <exception cref="RecurrentException">The prime cannot be encoded, or the temperature or top-k is out of range.</exception>
    public string Generate(string prime, int length, float temperature = 1f, int topK = 0, ulong seed = 1)
    {
        var text = new StringBuilder();
        Generate(prime, length, token => text.Append(token), temperature, topK, seed);
        return text.ToString();
    }

    /// <summary>
    /// Like <see cref="Generate(string, int, float, int, ulong)"/>, but hands each generated token's text to
    /// <paramref name="onToken"/> as soon as it is drawn, so it can be shown while it is written.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired between two tokens.</exception>
    public void Generate(string prime, int length, Action<string> onToken, float temperature = 1f, int topK = 0, ulong seed = 1, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(prime);
        ArgumentNullException.ThrowIfNull(onToken);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        TokenCodec codec = RequireCodec();
        var sampler = new TokenSampler(seed, temperature, topK);
        int[] context = codec.EncodeContext(prime, "prime");
        new TextGenerator(this).Generate(context, length, sampler, id => onToken(codec.Continuation(id)), cancellation);
    }

    /// <summary>
    /// The log-probability (nats) and perplexity of <paramref name="sentence"/> as a whole, from a fresh state, as
    /// <c>recurrent lm score</c> prints them: a word model scores the words and the end of the sentence after an
    /// <c>&lt;eos&gt;</c>; a character model scores every character after a new line.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no <see cref="Codec"/>.</exception>
    /// <exception cref="RecurrentException">The sentence is empty or cannot be encoded.</exception>
    public SentenceScore Score(string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        (int[] inputs, int[] targets) = RequireCodec().EncodeSentence(sentence, "sentence");
        return SentenceScore.Of(this, inputs, targets);
    }

    private TokenCodec RequireCodec() => _codec
        ?? throw new InvalidOperationException("The model has no codec: load it with LanguageModel.Load, or set Codec to a WordCodec or CharCodec over its vocabulary.");
}
