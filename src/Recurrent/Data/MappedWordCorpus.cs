using System.Text.Json;
using Recurrent.Training;

namespace Recurrent.Data;

/// <summary>
/// A word corpus too large to hold in memory (<see cref="WordCorpus"/> holds its ids in arrays): the vocabulary is
/// counted in one streaming pass over the training file, each split's ids are written once to a binary file
/// (<see cref="TokenIdFile"/>) and memory-mapped. Memory use does not grow with the corpus, only with its vocabulary.
/// </summary>
internal sealed class MappedWordCorpus : IDisposable
{
    /// <summary>Training files larger than this are mapped by <c>lm train</c> without being asked (256 MiB).</summary>
    public const long AutomaticAbove = 256L << 20;

    private readonly MappedTokens _train, _valid, _test;

    private MappedWordCorpus(CorpusFiles files, Vocabulary vocabulary, MappedTokens train, MappedTokens valid, MappedTokens test)
    {
        Files = files;
        Vocabulary = vocabulary;
        _train = train;
        _valid = valid;
        _test = test;
    }

    public CorpusFiles Files { get; }

    public Vocabulary Vocabulary { get; }

    /// <summary>Token ids of the training split, one <c>&lt;eos&gt;</c> after every line, as <see cref="WordCorpus.Train"/>.</summary>
    public ReadOnlyMemory<int> Train => _train.Tokens;

    public ReadOnlyMemory<int> Valid => _valid.Tokens;

    public ReadOnlyMemory<int> Test => _test.Tokens;

    /// <summary>
    /// Opens the corpus in <paramref name="directory"/> with <paramref name="vocabulary"/>, or with the vocabulary of
    /// its training file (<see cref="Vocabulary.FromFile"/>, a streaming count) when null. The id files
    /// <c>train.ids</c>, <c>valid.ids</c> and <c>test.ids</c> live in <paramref name="idDirectory"/>, with the counted
    /// vocabulary (<c>vocabulary.json</c>); ones already there are reused when they were made from the same files and
    /// vocabulary, so a second process opening the corpus reads none of the text.
    /// </summary>
    /// <exception cref="RecurrentException">A split is missing or unreadable, holds a word the vocabulary cannot map, or an id file cannot be written.</exception>
    public static MappedWordCorpus Open(string directory, Vocabulary? vocabulary, string idDirectory)
    {
        CorpusFiles files = CorpusFiles.Find(directory);
        Directory.CreateDirectory(idDirectory);
        vocabulary ??= CountedVocabulary(files.Train, Path.Combine(idDirectory, VocabularyName));
        var opened = new List<MappedTokens>(3);
        try
        {
            foreach ((string split, string path) in new[] { ("train", files.Train), ("valid", files.Valid), ("test", files.Test) })
                opened.Add(TokenIdFile.Open(path, vocabulary, Path.Combine(idDirectory, split + ".ids")));
            return new MappedWordCorpus(files, vocabulary, opened[0], opened[1], opened[2]);
        }
        catch
        {
            foreach (MappedTokens m in opened) ((IDisposable)m).Dispose();
            throw;
        }
    }

    private const string VocabularyName = "vocabulary.json";

    /// <summary>
    /// The vocabulary of <paramref name="trainPath"/>: read from <paramref name="cachePath"/> when that was counted from
    /// the file as it is now (same length and last-write time), else counted and written there.
    /// </summary>
    private static Vocabulary CountedVocabulary(string trainPath, string cachePath)
    {
        var text = new FileInfo(trainPath);
        long length = text.Length, ticks = text.LastWriteTimeUtc.Ticks;
        if (File.Exists(cachePath))
        {
            try
            {
                using JsonDocument cached = JsonDocument.Parse(File.ReadAllBytes(cachePath));
                JsonElement root = cached.RootElement;
                if (root.GetProperty("text_length").GetInt64() == length && root.GetProperty("text_ticks").GetInt64() == ticks)
                    return Vocabulary.FromJson(root.GetProperty("words").GetRawText());
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or RecurrentException or IOException)
            {
                // Unreadable: count again and replace it.
            }
        }
        Vocabulary counted = Vocabulary.FromFile(trainPath);
        AtomicFile.WriteAllText(cachePath, $"{{\"text_length\": {length}, \"text_ticks\": {ticks}, \"words\": {counted.ToJson()}}}\n");
        return counted;
    }

    public void Dispose()
    {
        ((IDisposable)_train).Dispose();
        ((IDisposable)_valid).Dispose();
        ((IDisposable)_test).Dispose();
    }
}
