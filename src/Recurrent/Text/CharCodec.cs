using System.Text;
using Recurrent.Data;

namespace Recurrent.Text;

/// <summary>
/// Texts of a character-level model: one token per Unicode scalar. A text to continue must use only the model's
/// characters; a text to score maps unknown ones to U+FFFD when the vocabulary has it, as <c>char eval</c> does.
/// </summary>
public sealed class CharCodec : TokenCodec
{
    private readonly int _startId;

    /// <summary>The codec of a character model trained with <paramref name="vocabulary"/>.</summary>
    public CharCodec(CharVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        Vocabulary = vocabulary;
        if (vocabulary.TryGetId(new Rune('\n'), out int newline))
        {
            _startId = newline;
            DefaultPrime = "\n";
        }
        else
        {
            _startId = -1;
            DefaultPrime = vocabulary.CharOf(0);
        }
    }

    /// <summary>The characters, in id order.</summary>
    public CharVocabulary Vocabulary { get; }

    /// <summary>What generation starts from when no prime is given: a new line when the vocabulary has one (text then starts as at a line start), else its first character.</summary>
    public string DefaultPrime { get; }

    /// <inheritdoc/>
    public override int Count => Vocabulary.Count;

    /// <summary>The characters of the text (<see cref="DefaultPrime"/> when empty); each must be in the vocabulary.</summary>
    public override int[] EncodeContext(string text, string source) =>
        Vocabulary.Encode(string.IsNullOrEmpty(text) ? DefaultPrime : text, mapUnknown: false, source);

    /// <summary>
    /// Every character is a target, predicted after a new line and the characters before it; when the vocabulary has no
    /// new line the first character is context only and the rest are scored.
    /// </summary>
    public override (int[] Inputs, int[] Targets) EncodeSentence(string text, string source)
    {
        int[] ids = Vocabulary.Encode(text, mapUnknown: true, source);
        if (_startId >= 0)
        {
            if (ids.Length == 0) throw new RecurrentException($"{source}: the text is empty.");
            var inputs = new int[ids.Length];
            inputs[0] = _startId;
            ids.AsSpan(0, ids.Length - 1).CopyTo(inputs.AsSpan(1));
            return (inputs, ids);
        }
        if (ids.Length < 2) throw new RecurrentException($"{source}: at least two characters are needed (the model has no new line to start from).");
        return (ids[..^1], ids[1..]);
    }

    /// <inheritdoc/>
    public override string Token(int id) => Vocabulary.CharOf(id);

    /// <inheritdoc/>
    public override string Continuation(int id) => Vocabulary.CharOf(id);
}
