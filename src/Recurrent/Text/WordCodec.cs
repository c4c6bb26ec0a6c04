using Recurrent.Data;

namespace Recurrent.Text;

/// <summary>
/// Texts of a word-level model: words split on white space, unknown words read as <c>&lt;unk&gt;</c> (an error when
/// the vocabulary has none), and every sentence read after the previous one's <c>&lt;eos&gt;</c>, as in training.
/// </summary>
public sealed class WordCodec : TokenCodec
{
    /// <summary>The codec of a word model trained with <paramref name="vocabulary"/>.</summary>
    /// <exception cref="RecurrentException">The vocabulary has no <c>&lt;eos&gt;</c>.</exception>
    public WordCodec(Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (!vocabulary.TryGetId(Vocabulary.EndOfSentence, out int eos))
            throw new RecurrentException($"A word model's vocabulary must hold {Vocabulary.EndOfSentence}; this one has {vocabulary.Count} words without it.");
        Vocabulary = vocabulary;
        EndOfSentenceId = eos;
    }

    /// <summary>The words, in id order.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>The id of <see cref="Vocabulary.EndOfSentence"/>.</summary>
    public int EndOfSentenceId { get; }

    /// <inheritdoc/>
    public override int Count => Vocabulary.Count;

    /// <summary><c>&lt;eos&gt;</c> then the words: the model continues the text as a sentence that has just started.</summary>
    public override int[] EncodeContext(string text, string source) => Encode(text, source, prependEndOfSentence: true);

    /// <summary>Inputs <c>&lt;eos&gt; w1 … wn</c>, targets <c>w1 … wn &lt;eos&gt;</c>: the end of the sentence is scored too.</summary>
    public override (int[] Inputs, int[] Targets) EncodeSentence(string text, string source)
    {
        int[] inputs = Encode(text, source, prependEndOfSentence: true);
        if (inputs.Length == 1) throw new RecurrentException($"{source}: the text has no words.");
        var targets = new int[inputs.Length];
        inputs.AsSpan(1).CopyTo(targets);
        targets[^1] = EndOfSentenceId;
        return (inputs, targets);
    }

    /// <inheritdoc/>
    public override string Token(int id) => Vocabulary.WordOf(id);

    /// <inheritdoc/>
    public override string Continuation(int id) => id == EndOfSentenceId ? "\n" : Vocabulary.WordOf(id) + " ";

    /// <summary>The ids of the words of <paramref name="text"/>, after an <c>&lt;eos&gt;</c> when asked.</summary>
    /// <exception cref="RecurrentException">A word is unknown and the vocabulary has no <c>&lt;unk&gt;</c>.</exception>
    public int[] Encode(string text, string source, bool prependEndOfSentence)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        if (prependEndOfSentence) ids.Add(EndOfSentenceId);
        foreach (string word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (Vocabulary.TryGetId(word, out int id)) ids.Add(id);
            else if (Vocabulary.UnknownId >= 0) ids.Add(Vocabulary.UnknownId);
            else throw new RecurrentException($"{source}: the word '{word}' is not in the model's vocabulary, which has no {Vocabulary.Unknown}.");
        }
        return ids.ToArray();
    }
}
