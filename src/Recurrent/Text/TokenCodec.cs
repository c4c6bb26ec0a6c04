using Recurrent.Data;

namespace Recurrent.Text;

/// <summary>
/// How a language model's token ids read and write as text, for word models (<see cref="WordCodec"/>: words split on
/// white space, sentences separated by <c>&lt;eos&gt;</c>) and character models (<see cref="CharCodec"/>: one token per
/// Unicode scalar). The command-line tool and the server both go through it, so a text means the same to both.
/// </summary>
public abstract class TokenCodec
{
    /// <summary>Number of tokens, the model's vocabulary size.</summary>
    public abstract int Count { get; }

    /// <summary>
    /// The ids a model reads before it predicts what follows <paramref name="text"/>: the state a text is continued
    /// from. An empty text gives the start of a text (a sentence start, or a line start for characters).
    /// </summary>
    /// <param name="source">Names the text in error messages (an option, a line, a request field).</param>
    /// <exception cref="RecurrentException">A token cannot be encoded (the message names it).</exception>
    public abstract int[] EncodeContext(string text, string source);

    /// <summary>
    /// The inputs and targets that score <paramref name="text"/> as a whole sentence: each target is predicted from
    /// the inputs up to its position, so the sum of the targets' log-probabilities is the text's.
    /// </summary>
    /// <exception cref="RecurrentException">The text has nothing to score, or a token cannot be encoded.</exception>
    public abstract (int[] Inputs, int[] Targets) EncodeSentence(string text, string source);

    /// <summary>A token as it is listed among candidates: the word, or the character.</summary>
    public abstract string Token(int id);

    /// <summary>A generated token as it is appended to the text so far: a word and a space (a new line for the end of a sentence), or the character.</summary>
    public abstract string Continuation(int id);

    /// <summary>The codec of a language-model checkpoint kind (<c>word</c> or <c>char</c>) with its stored vocabulary.</summary>
    /// <exception cref="RecurrentException">The kind is not a language model, or the vocabulary is malformed.</exception>
    public static TokenCodec ForKind(string kind, string vocabularyJson) => kind switch
    {
        "word" => new WordCodec(Vocabulary.FromJson(vocabularyJson)),
        "char" => new CharCodec(CharVocabulary.FromJson(vocabularyJson)),
        _ => throw new RecurrentException($"A {kind} model has no text codec; only word and char language models do."),
    };
}
