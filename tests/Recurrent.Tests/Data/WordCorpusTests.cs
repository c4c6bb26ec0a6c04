using Recurrent.Tests.Support;
using System.Text;
using Recurrent.Data;

namespace Recurrent.Tests.Data;

public class WordCorpusTests
{
    /// <summary>
    /// Independent transcription of TensorFlow reader.py: <c>f.read().replace("\n", "&lt;eos&gt;").split()</c>,
    /// counted, sorted by (-count, word), ids by position.
    /// </summary>
    private static (List<string> Words, Dictionary<string, int> Ids) ReaderPy(string trainText)
    {
        string[] data = trainText.Replace("\n", "<eos>").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var counter = new Dictionary<string, int>();
        foreach (string w in data) counter[w] = counter.GetValueOrDefault(w) + 1;
        var pairs = counter.ToList();
        pairs.Sort((a, b) => a.Value != b.Value ? b.Value - a.Value : string.CompareOrdinal(a.Key, b.Key));
        var words = pairs.Select(p => p.Key).ToList();
        return (words, words.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i));
    }

    private static string RandomPtbLike(Random rng, int lines, string[] pool)
    {
        var sb = new StringBuilder();
        for (int l = 0; l < lines; l++)
        {
            sb.Append(' ');
            int n = rng.Next(0, 12);
            for (int i = 0; i < n; i++) sb.Append(pool[Math.Min(rng.Next(pool.Length), rng.Next(pool.Length))]).Append(' ');
            sb.Append('\n');
        }
        return sb.ToString();
    }

    [Fact]
    public void MatchesReaderPyOnPtbLikeText()
    {
        var rng = new Random(7);
        string[] pool = Enumerable.Range(0, 60).Select(i => i % 7 == 0 ? $"W{i}" : $"w{i}").Append("<unk>").Append("N").ToArray();
        string train = RandomPtbLike(rng, 300, pool), valid = RandomPtbLike(rng, 40, pool), test = RandomPtbLike(rng, 50, pool);
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("ptb.train.txt"), train);
        File.WriteAllText(dir.File("ptb.valid.txt"), valid);
        File.WriteAllText(dir.File("ptb.test.txt"), test);

        var corpus = WordCorpus.Load(dir.Path);
        var (words, ids) = ReaderPy(train);
        Assert.Equal(words, corpus.Vocabulary.Words);
        foreach (var (text, actual) in new[] { (train, corpus.Train), (valid, corpus.Valid), (test, corpus.Test) })
        {
            int[] expected = text.Replace("\n", "<eos>").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                .Select(w => ids.TryGetValue(w, out int id) ? id : ids["<unk>"]).ToArray();
            Assert.Equal(expected, actual);
        }
        Assert.Equal(dir.File("ptb.train.txt"), corpus.Files.Train);
    }

    [Fact]
    public void AcceptsPlainNamesAndCrLf()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("train.txt"), "a b\r\nb c\r\n");
        File.WriteAllText(dir.File("valid.txt"), "c a");   // no final newline: still one <eos>
        File.WriteAllText(dir.File("test.txt"), "\n");
        var corpus = WordCorpus.Load(dir.Path);
        var v = corpus.Vocabulary;
        Assert.Equal(["<eos>", "b", "a", "c"], v.Words);
        Assert.Equal([v.IdOf("c"), v.IdOf("a"), v.IdOf("<eos>")], corpus.Valid);
        Assert.Equal([v.IdOf("<eos>")], corpus.Test);
    }

    [Fact]
    public void UnknownWordWithoutUnkNamesFileLineAndWord()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("ptb.train.txt"), " a b \n");
        File.WriteAllText(dir.File("ptb.valid.txt"), " a \n b a \n a zebra b \n");
        File.WriteAllText(dir.File("ptb.test.txt"), " a \n");
        var e = Assert.Throws<RecurrentException>(() => WordCorpus.Load(dir.Path));
        Assert.Contains(dir.File("ptb.valid.txt"), e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("'zebra'", e.Message);
    }

    [Fact]
    public void UnknownWordMapsToUnkWhenVocabularyHasIt()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("ptb.train.txt"), " a <unk> \n");
        File.WriteAllText(dir.File("ptb.valid.txt"), " zebra a \n");
        File.WriteAllText(dir.File("ptb.test.txt"), " a \n");
        var corpus = WordCorpus.Load(dir.Path);
        var v = corpus.Vocabulary;
        Assert.Equal([v.UnknownId, v.IdOf("a"), v.IdOf("<eos>")], corpus.Valid);
    }

    [Fact]
    public void GivenVocabularyIsUsedForAllSplits()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("ptb.train.txt"), " b b a \n");
        File.WriteAllText(dir.File("ptb.valid.txt"), " a \n");
        File.WriteAllText(dir.File("ptb.test.txt"), " b \n");
        var v = new Vocabulary(["a", "b", "<eos>"]);
        var corpus = WordCorpus.Load(dir.Path, v);
        Assert.Same(v, corpus.Vocabulary);
        Assert.Equal([1, 1, 0, 2], corpus.Train);
    }

    [Fact]
    public void MissingSplitsAreNamed()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("ptb.train.txt"), " a \n");
        var e = Assert.Throws<RecurrentException>(() => WordCorpus.Load(dir.Path));
        Assert.Contains("valid", e.Message);
        Assert.Contains("test", e.Message);
        Assert.DoesNotContain("train (", e.Message);
        Assert.Contains(dir.Path, e.Message);
        var e2 = Assert.Throws<RecurrentException>(() => WordCorpus.Load(dir.File("nope")));
        Assert.Contains("does not exist", e2.Message);
    }
}
