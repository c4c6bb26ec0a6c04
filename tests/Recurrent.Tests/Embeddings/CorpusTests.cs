using System.IO.Compression;
using System.Text;
using Recurrent.Embeddings;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Embeddings;

/// <summary>Reading training text: words, counting, formats, and the slices the threads read.</summary>
public class CorpusTests
{
    private static readonly byte[] Text = [0xEF, 0xBB, 0xBF, .. "b a c a\r\nb a  d\n<unk>\te\n"u8];

    private static string Write(TempDirectory dir, string name, byte[] content)
    {
        string path = dir.File(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static string Gzip(TempDirectory dir, byte[] content)
    {
        string path = dir.File("text.gz");
        using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        gz.Write(content);
        return path;
    }

    private static string Zip(TempDirectory dir, byte[] content)
    {
        string path = dir.File("text.zip");
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        using (Stream s = archive.CreateEntry("text8").Open()) s.Write(content);
        using (Stream s = archive.CreateEntry("second").Open()) s.Write("other words entirely"u8);
        return path;
    }

    [Fact]
    public void CountsWordsAndOrdersByCountThenOrdinally()
    {
        using var dir = new TempDirectory();
        var all = EmbeddingVocabulary.FromText(CorpusFile.Open(Write(dir, "t.txt", Text)), minCount: 1, maxSize: 0, mapUnknown: false);
        Assert.Equal(["a", "b", "<unk>", "c", "d", "e"], all.Words);
        Assert.Equal([3L, 2, 1, 1, 1, 1], all.Counts.ToArray());
        Assert.Equal(9, all.TrainWords);
        Assert.Equal(9, all.CorpusWords);
        Assert.Equal(-1, all.UnknownId);

        var frequent = EmbeddingVocabulary.FromCounts(Pairs(all), minCount: 2, maxSize: 0, mapUnknown: false, corpusWords: 9);
        Assert.Equal(["a", "b"], frequent.Words);
        Assert.Equal(5, frequent.TrainWords);
        Assert.Equal(-1, frequent.IdOf("c"));

        var mapped = EmbeddingVocabulary.FromCounts(Pairs(all), minCount: 1, maxSize: 3, mapUnknown: true);
        Assert.Equal(["<unk>", "a", "b"], mapped.Words);
        Assert.Equal([4L, 3, 2], mapped.Counts.ToArray()); // c, d, e and <unk> itself
        Assert.Equal(9, mapped.TrainWords);
        Assert.Equal(0, mapped.UnknownId);
    }

    private static IEnumerable<KeyValuePair<string, long>> Pairs(EmbeddingVocabulary v) =>
        v.Words.Select((w, i) => new KeyValuePair<string, long>(w, v.Counts[i]));

    [Fact]
    public void PlainGzipAndZipReadTheSame()
    {
        using var dir = new TempDirectory();
        foreach ((string path, CorpusFormat format) in new[] { (Write(dir, "t.txt", Text), CorpusFormat.Plain), (Gzip(dir, Text), CorpusFormat.Gzip), (Zip(dir, Text), CorpusFormat.Zip) })
        {
            CorpusFile file = CorpusFile.Open(path);
            Assert.Equal(format, file.Format);
            var v = EmbeddingVocabulary.FromText(file, 1, 0, false);
            Assert.Equal(["a", "b", "<unk>", "c", "d", "e"], v.Words);
            Assert.Equal(9, v.CorpusWords);
        }
    }

    private static readonly string[] Letters = ["a", "b", "c", "é", "日", "😀", "\u0001"];

    [Fact]
    public void ReaderSplitsOnAsciiWhiteSpaceWithAnyBufferSize()
    {
        var random = new Recurrent.Tensors.RandomGenerator(8);
        var text = new StringBuilder();
        var expected = new List<string>();
        for (int i = 0; i < 400; i++)
        {
            int kind = random.NextInt(10);
            if (kind == 0) { text.Append('\n'); expected.Add("\n"); }
            else if (kind == 1) text.Append(" \t\r\v\f"[random.NextInt(5)]);
            else
            {
                string word = string.Concat(Enumerable.Range(0, 1 + random.NextInt(kind == 2 ? 40 : 6)).Select(_ => Letters[random.NextInt(Letters.Length)]));
                if (text.Length > 0 && !char.IsWhiteSpace(text[^1])) text.Append(' ');
                text.Append(word);
                expected.Add(word);
            }
        }
        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
        foreach (int size in (int[])[16, 17, 64, 1 << 16])
        {
            var tokens = new List<string>();
            using var reader = new WordReader(new MemoryStream(bytes), "test", 0, size);
            WordToken token;
            while ((token = reader.Read(out ReadOnlySpan<byte> word)) != WordToken.End)
                tokens.Add(token == WordToken.LineEnd ? "\n" : Encoding.UTF8.GetString(word));
            Assert.Equal(expected, tokens);
        }
    }

    [Fact]
    public void BadTextGetsClearErrors()
    {
        using var dir = new TempDirectory();
        var utf8 = Assert.Throws<RecurrentException>(() =>
            EmbeddingVocabulary.FromText(CorpusFile.Open(Write(dir, "latin1.txt", [.. "ok fine\nbad caf"u8, 0xE9, .. " x\n"u8])), 1, 0, false));
        Assert.Contains("line 2", utf8.Message);
        Assert.Contains("byte offset 12", utf8.Message);
        Assert.Contains("not valid UTF-8", utf8.Message);
        Assert.Contains("empty", Assert.Throws<RecurrentException>(() => CorpusFile.Open(Write(dir, "empty.txt", []))).Message);
        Assert.Contains("does not exist", Assert.Throws<RecurrentException>(() => CorpusFile.Open(dir.File("missing.txt"))).Message);
        Assert.Contains("--min-count", Assert.Throws<RecurrentException>(() =>
            EmbeddingVocabulary.FromText(CorpusFile.Open(Write(dir, "t.txt", Text)), 10, 0, false)).Message);
        Assert.Contains("no words", Assert.Throws<RecurrentException>(() =>
            EmbeddingVocabulary.FromText(CorpusFile.Open(Write(dir, "blank.txt", " \n\n "u8.ToArray())), 1, 0, false)).Message);
    }
}
