using System.Text;

namespace Recurrent.Data;

/// <summary>
/// The characters of a character-level model: each token is one Unicode scalar value (<see cref="Rune"/>), so an
/// emoji or a supplementary CJK ideograph is one token rather than two UTF-16 surrogates. Ids follow code-point
/// order, which makes the vocabulary of a text deterministic. Stored as a <see cref="Data.Vocabulary"/> of
/// one-character strings, so checkpoints keep it as the same JSON array as word models.
/// </summary>
public sealed class CharVocabulary
{
    /// <summary>
    /// The unknown symbol, U+FFFD REPLACEMENT CHARACTER: rare characters map to it when the vocabulary is built
    /// with a minimum count. A text that itself holds U+FFFD shares the id, which is what the character means.
    /// </summary>
    public const string UnknownSymbol = "\uFFFD";

    private readonly Dictionary<int, int> _ids; // rune value → id

    /// <summary>Wraps a vocabulary whose entries are single Unicode scalar values.</summary>
    /// <exception cref="RecurrentException">An entry is not exactly one character (one rune).</exception>
    public CharVocabulary(Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        Vocabulary = vocabulary;
        _ids = new Dictionary<int, int>(vocabulary.Count);
        for (int i = 0; i < vocabulary.Count; i++)
        {
            string entry = vocabulary.Words[i];
            if (Rune.DecodeFromUtf16(entry, out Rune rune, out int used) != System.Buffers.OperationStatus.Done || used != entry.Length)
                throw new RecurrentException($"Vocabulary entry {i} ('{entry}') is not a single character: this is not a character vocabulary.");
            _ids.Add(rune.Value, i);
        }
        UnknownId = _ids.TryGetValue(UnknownSymbol[0], out int unknown) ? unknown : -1;
    }

    /// <summary>The characters as a word vocabulary (one "word" per character), which is what checkpoints store.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Number of characters.</summary>
    public int Count => Vocabulary.Count;

    /// <summary>The id of <see cref="UnknownSymbol"/>, or -1 when every character of the training text is in the vocabulary.</summary>
    public int UnknownId { get; }

    /// <summary>The character with id <paramref name="id"/>, as a string of one or two UTF-16 units.</summary>
    public string CharOf(int id) => Vocabulary.WordOf(id);

    /// <summary>Looks up one character.</summary>
    public bool TryGetId(Rune rune, out int id) => _ids.TryGetValue(rune.Value, out id);

    /// <summary>The vocabulary of <paramref name="text"/>: every character, in code-point order.</summary>
    /// <param name="minCount">Characters seen fewer times than this map to <see cref="UnknownSymbol"/> (1 keeps every character).</param>
    /// <exception cref="RecurrentException">The text holds a lone surrogate, or too few distinct characters remain.</exception>
    public static CharVocabulary FromText(ReadOnlySpan<char> text, int minCount = 1, string source = "the text")
    {
        if (minCount < 1) throw new RecurrentException($"The minimum character count must be at least 1, got {minCount}.");
        var counts = new Dictionary<int, int>();
        foreach (Rune rune in Runes(text, source))
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, rune.Value, out _)++;
        var kept = new List<int>(counts.Count);
        bool anyRare = false;
        foreach ((int value, int count) in counts)
        {
            if (count >= minCount) kept.Add(value);
            else anyRare = true;
        }
        if (anyRare && !kept.Contains(UnknownSymbol[0])) kept.Add(UnknownSymbol[0]);
        kept.Sort();
        if (kept.Count < 2)
            throw new RecurrentException($"{source} has {kept.Count} distinct character{(kept.Count == 1 ? "" : "s")} (after dropping those seen fewer than {minCount} times): a model needs at least 2.");
        var words = new string[kept.Count];
        for (int i = 0; i < words.Length; i++) words[i] = new Rune(kept[i]).ToString();
        return new CharVocabulary(new Vocabulary(words));
    }

    /// <summary>Reads the JSON array a checkpoint stores (see <see cref="Vocabulary.ToJson"/>).</summary>
    public static CharVocabulary FromJson(string json) => new(Vocabulary.FromJson(json));

    /// <summary>The vocabulary as JSON, as checkpoints store it (<see cref="FromJson"/> reads it back).</summary>
    public string ToJson() => Vocabulary.ToJson();

    /// <summary>The ids of the characters of <paramref name="text"/>.</summary>
    /// <param name="mapUnknown">Map characters outside the vocabulary to <see cref="UnknownId"/> when there is one; otherwise they are an error.</param>
    /// <param name="source">Names the text in error messages.</param>
    /// <exception cref="RecurrentException">A character is not in the vocabulary (the message names it, its code point and where it is).</exception>
    public int[] Encode(ReadOnlySpan<char> text, bool mapUnknown = false, string source = "the text")
    {
        var ids = new int[CountRunes(text, source)];
        int n = 0, line = 1;
        foreach (Rune rune in Runes(text, source))
        {
            if (!_ids.TryGetValue(rune.Value, out int id))
            {
                if (mapUnknown && UnknownId >= 0) id = UnknownId;
                else throw new RecurrentException(
                    $"{source}: the character '{Printable(rune)}' (U+{rune.Value:X4}) at character {n + 1} (line {line}) is not in the model's vocabulary of {Count} characters.");
            }
            if (rune.Value == '\n') line++;
            ids[n++] = id;
        }
        return ids;
    }

    /// <summary>The text of a sequence of ids.</summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var builder = new StringBuilder(ids.Length);
        foreach (int id in ids) builder.Append(CharOf(id));
        return builder.ToString();
    }

    /// <summary>A character as it can be shown in a message: control characters and spaces by name.</summary>
    public static string Printable(Rune rune) => rune.Value switch
    {
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        _ when Rune.IsControl(rune) => $"\\u{rune.Value:X4}",
        _ => rune.ToString(),
    };

    private static int CountRunes(ReadOnlySpan<char> text, string source)
    {
        int n = 0;
        foreach (Rune _ in Runes(text, source)) n++;
        return n;
    }

    /// <summary>The runes of <paramref name="text"/>, refusing lone surrogates (which EnumerateRunes would silently replace).</summary>
    private static RuneSequence Runes(ReadOnlySpan<char> text, string source) => new(text, source);

    private readonly ref struct RuneSequence(ReadOnlySpan<char> text, string source)
    {
        private readonly ReadOnlySpan<char> _text = text;
        private readonly string _source = source;
        public Enumerator GetEnumerator() => new(_text, _source);

        public ref struct Enumerator(ReadOnlySpan<char> text, string source)
        {
            private ReadOnlySpan<char> _rest = text;
            private int _position;
            public Rune Current { get; private set; }

            public bool MoveNext()
            {
                if (_rest.IsEmpty) return false;
                if (Rune.DecodeFromUtf16(_rest, out Rune rune, out int used) != System.Buffers.OperationStatus.Done)
                    throw new RecurrentException($"{source}: a lone UTF-16 surrogate at character offset {_position} is not a character.");
                Current = rune;
                _rest = _rest[used..];
                _position += used;
                return true;
            }
        }
    }
}
