using System.Text.Json;

namespace Recurrent.Data;

/// <summary>
/// A fixed mapping between words and dense ids <c>0 .. Count-1</c>.
/// </summary>
/// <remarks>
/// Built from a training file by <see cref="FromCounts"/> in TensorFlow reader.py's order: by
/// frequency, most frequent first, ties broken by ordinal string order (Python's sort of <c>str</c>
/// compares code points, which ordinal comparison of UTF-16 matches for every character outside the
/// surrogate range). Checkpoints store it as a JSON array of the words in id order.
/// </remarks>
public sealed class Vocabulary
{
    /// <summary>The end-of-sentence token appended after every line.</summary>
    public const string EndOfSentence = "<eos>";

    /// <summary>The token PTB uses for rare words; unknown words in valid/test map to it when present.</summary>
    public const string Unknown = "<unk>";

    private readonly string[] _words;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanIds;

    /// <summary>Creates a vocabulary whose ids are the positions of <paramref name="words"/>.</summary>
    /// <exception cref="ArgumentException">A word is repeated, empty or null.</exception>
    public Vocabulary(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        _words = words.ToArray();
        _ids = new Dictionary<string, int>(_words.Length, StringComparer.Ordinal);
        for (int i = 0; i < _words.Length; i++)
        {
            string w = _words[i];
            if (string.IsNullOrEmpty(w)) throw new ArgumentException($"Vocabulary entry {i} is empty.", nameof(words));
            if (!_ids.TryAdd(w, i)) throw new ArgumentException($"Vocabulary word '{w}' appears twice (ids {_ids[w]} and {i}).", nameof(words));
        }
        _spanIds = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        UnknownId = _ids.TryGetValue(Unknown, out int unk) ? unk : -1;
    }

    /// <summary>Number of words.</summary>
    public int Count => _words.Length;

    /// <summary>The words in id order.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>The id of <see cref="Unknown"/>, or -1 when the vocabulary has no such word.</summary>
    public int UnknownId { get; }

    /// <summary>The id of <paramref name="word"/>.</summary>
    /// <exception cref="RecurrentException">The word is not in the vocabulary.</exception>
    public int IdOf(string word) =>
        _ids.TryGetValue(word, out int id) ? id : throw new RecurrentException($"The word '{word}' is not in the vocabulary ({Count} words).");

    /// <summary>The word with id <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not in <c>[0, Count)</c>.</exception>
    public string WordOf(int id)
    {
        if ((uint)id >= (uint)_words.Length)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Word ids are 0 .. {_words.Length - 1}.");
        return _words[id];
    }

    /// <summary>Looks up <paramref name="word"/>; false when it is not in the vocabulary.</summary>
    public bool TryGetId(string word, out int id) => _ids.TryGetValue(word, out id);

    /// <summary>Looks up a word given as characters, without allocating a string.</summary>
    public bool TryGetId(ReadOnlySpan<char> word, out int id) => _spanIds.TryGetValue(word, out id);

    /// <summary>The words as a JSON array in id order, as stored in checkpoints.</summary>
    public string ToJson()
    {
        // Written by hand rather than with JsonSerializer, which needs reflection (unavailable when trimmed or AOT-compiled).
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(_words.Length * 8 + 16);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (string w in _words) json.WriteStringValue(w);
            json.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads a vocabulary written by <see cref="ToJson"/>.</summary>
    /// <exception cref="RecurrentException">The text is not a JSON array of distinct non-empty strings.</exception>
    public static Vocabulary FromJson(string json)
    {
        var words = new List<string>();
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new RecurrentException($"The vocabulary is not a JSON array of words (it is a JSON {document.RootElement.ValueKind}).");
            foreach (JsonElement e in document.RootElement.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.String)
                    throw new RecurrentException($"The vocabulary is not a JSON array of words: entry {words.Count} is a JSON {e.ValueKind}.");
                words.Add(e.GetString()!);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) // the latter: a string with a lone surrogate escape
        {
            throw new RecurrentException($"The vocabulary is not a JSON array of words: {e.Message}", e);
        }
        try
        {
            return new Vocabulary(words);
        }
        catch (ArgumentException e)
        {
            throw new RecurrentException($"The vocabulary is invalid: {e.Message}", e);
        }
    }

    /// <summary>
    /// The vocabulary of counted words, ordered by count descending and then by ordinal string order
    /// (TensorFlow reader.py: <c>sorted(counter.items(), key=lambda x: (-x[1], x[0]))</c>).
    /// </summary>
    public static Vocabulary FromCounts(IEnumerable<KeyValuePair<string, int>> counts)
    {
        var pairs = counts.ToArray();
        Array.Sort(pairs, static (a, b) =>
        {
            int byCount = b.Value.CompareTo(a.Value);
            return byCount != 0 ? byCount : string.CompareOrdinal(a.Key, b.Key);
        });
        var words = new string[pairs.Length];
        for (int i = 0; i < pairs.Length; i++) words[i] = pairs[i].Key;
        return new Vocabulary(words);
    }

    /// <summary>Counts the tokens of a word file (see <see cref="WordFile"/>) and builds its vocabulary with <see cref="FromCounts"/>.</summary>
    public static Vocabulary FromFile(string path)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        WordFile.ForEachToken(path, (ReadOnlySpan<char> token, int line) =>
        {
            // The span lookup allocates a string only the first time a word is seen.
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(lookup, token, out _)++;
        });
        return FromCounts(counts);
    }
}
