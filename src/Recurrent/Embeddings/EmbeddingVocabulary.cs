using System.Text;
using System.Text.Unicode;
using Recurrent.Data;

namespace Recurrent.Embeddings;

/// <summary>
/// The words an embedding is trained for, with their counts in the text: the first of the two passes over the text.
/// </summary>
/// <remarks>
/// <para>Ids follow count, most frequent first, ties in ordinal string order (as <see cref="Vocabulary.FromCounts"/>),
/// so the first rows of a vectors file are the most frequent words, which word2vec's compute-accuracy relies on.</para>
/// <para>Words seen fewer than <c>minCount</c> times are left out, then all but the <c>maxSize</c> most frequent.
/// What is left out is either skipped by training, as word2vec does, or (<c>mapUnknown</c>, as TensorFlow for
/// Machine Intelligence's Wikipedia corpus does) counted as <see cref="Unknown"/>, which then has id 0.</para>
/// </remarks>
public sealed class EmbeddingVocabulary
{
    /// <summary>The word that stands for every left-out word when they are mapped rather than skipped.</summary>
    public const string Unknown = Vocabulary.Unknown;

    private readonly string[] _words;
    private readonly long[] _counts;
    private readonly Utf8WordTable _table;

    private EmbeddingVocabulary(string[] words, long[] counts, long corpusWords, bool mapUnknown)
    {
        _words = words;
        _counts = counts;
        CorpusWords = corpusWords;
        UnknownId = mapUnknown ? 0 : -1;
        _table = new Utf8WordTable();
        for (int i = 0; i < words.Length; i++)
        {
            _table.FindOrAdd(Encoding.UTF8.GetBytes(words[i]), out bool added);
            if (!added) throw new ArgumentException($"Vocabulary word '{words[i]}' appears twice.", nameof(words));
            TrainWords += counts[i];
        }
    }

    /// <summary>Number of words.</summary>
    public int Count => _words.Length;

    /// <summary>The words in id order.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>How often each word occurs in the text (for <see cref="Unknown"/>: all the words it stands for).</summary>
    public ReadOnlySpan<long> Counts => _counts;

    /// <summary>Words of the text that training visits in one epoch: the sum of <see cref="Counts"/>.</summary>
    public long TrainWords { get; }

    /// <summary>Every word of the text, left-out ones included (line ends are not words).</summary>
    public long CorpusWords { get; }

    /// <summary>The id of <see cref="Unknown"/> when left-out words map to it, else -1 (they are skipped).</summary>
    public int UnknownId { get; }

    /// <summary>The id of a word given as UTF-8 bytes: its own, else <see cref="UnknownId"/> (-1 when skipped).</summary>
    internal int Lookup(ReadOnlySpan<byte> word)
    {
        int id = _table.Find(word);
        return id >= 0 ? id : UnknownId;
    }

    /// <summary>The id of <paramref name="word"/>, or -1 when it is not in the vocabulary.</summary>
    public int IdOf(string word) => _table.Find(Encoding.UTF8.GetBytes(word));

    /// <summary>Counts the words of <paramref name="text"/> (streamed) and builds the vocabulary.</summary>
    /// <param name="minCount">Words seen fewer times are left out (word2vec's <c>-min-count</c>).</param>
    /// <param name="maxSize">At most this many words, <see cref="Unknown"/> included (0: no limit).</param>
    /// <param name="mapUnknown">Left-out words count as <see cref="Unknown"/> instead of being skipped.</param>
    /// <exception cref="RecurrentException">The text cannot be read, a word is not valid UTF-8 (the message names the
    /// file, line and byte offset), or no word is left.</exception>
    public static EmbeddingVocabulary FromText(CorpusFile text, int minCount, int maxSize, bool mapUnknown, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var table = new Utf8WordTable();
        long words = 0;
        using (var reader = new WordReader(text.OpenText(), text.Path))
        {
            WordToken token;
            while ((token = reader.Read(out ReadOnlySpan<byte> word)) != WordToken.End)
            {
                if (token != WordToken.Word) continue;
                int index = table.FindOrAdd(word, out bool added);
                if (added && !Utf8.IsValid(word))
                {
                    string where = text.Format == CorpusFormat.Plain ? "byte offset" : "offset in the decompressed text";
                    throw new RecurrentException(
                        $"{text.Path}, line {reader.Line}: the word at {where} {reader.WordOffset} is not valid UTF-8 (bytes {Convert.ToHexString(word[..Math.Min(word.Length, 16)])}). Convert the file to UTF-8 first (e.g. iconv -f latin1 -t utf-8).");
                }
                table.CountOf(index)++;
                if ((++words & 0xFFFFF) == 0) cancellation.ThrowIfCancellationRequested();
            }
        }
        var counts = new KeyValuePair<string, long>[table.Count];
        for (int i = 0; i < counts.Length; i++)
            counts[i] = new(Encoding.UTF8.GetString(table.WordBytes(i)), table.CountOf(i));
        EmbeddingVocabulary vocabulary = FromCounts(counts, minCount, maxSize, mapUnknown, words);
        if (vocabulary.Count == 0 || vocabulary.TrainWords == 0)
            throw new RecurrentException(words == 0
                ? $"{text.Path} holds no words."
                : $"{text.Path}: no word occurs at least {minCount} times (--min-count); {table.Count:N0} distinct words in {words:N0}.");
        return vocabulary;
    }

    /// <summary>Builds the vocabulary from word counts (see <see cref="FromText"/> for the parameters).</summary>
    /// <param name="corpusWords">All words of the text; by default the sum of <paramref name="counts"/>.</param>
    public static EmbeddingVocabulary FromCounts(IEnumerable<KeyValuePair<string, long>> counts, int minCount, int maxSize, bool mapUnknown, long? corpusWords = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        var pairs = counts.ToArray();
        long total = 0;
        var kept = new List<KeyValuePair<string, long>>(pairs.Length);
        foreach (var p in pairs)
        {
            if (p.Value < 0) throw new ArgumentException($"The count of '{p.Key}' is negative.", nameof(counts));
            total += p.Value;
            if (mapUnknown && p.Key == Unknown) continue; // counted below with the left-out words
            if (p.Value >= minCount && p.Value > 0) kept.Add(p);
        }
        kept.Sort(static (a, b) =>
        {
            int byCount = b.Value.CompareTo(a.Value);
            return byCount != 0 ? byCount : string.CompareOrdinal(a.Key, b.Key);
        });
        int limit = maxSize == 0 ? int.MaxValue : mapUnknown ? maxSize - 1 : maxSize;
        if (kept.Count > limit) kept.RemoveRange(limit, kept.Count - limit);

        int offset = mapUnknown ? 1 : 0;
        var words = new string[kept.Count + offset];
        var wordCounts = new long[words.Length];
        long keptTotal = 0;
        for (int i = 0; i < kept.Count; i++)
        {
            words[i + offset] = kept[i].Key;
            wordCounts[i + offset] = kept[i].Value;
            keptTotal += kept[i].Value;
        }
        if (mapUnknown)
        {
            words[0] = Unknown;
            wordCounts[0] = total - keptTotal; // every left-out word, and <unk> itself where the text has it
        }
        return new EmbeddingVocabulary(words, wordCounts, corpusWords ?? total, mapUnknown);
    }
}
