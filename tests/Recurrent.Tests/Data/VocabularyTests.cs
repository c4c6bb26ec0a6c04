using Recurrent.Tests.Support;
using Recurrent.Data;

namespace Recurrent.Tests.Data;

public class VocabularyTests
{
    [Fact]
    public void OrdersByCountDescendingThenOrdinally()
    {
        // Python: sorted(Counter(...).items(), key=lambda x: (-x[1], x[0])) gives
        // [('b', 3), ('A', 2), ('a', 2), ('c', 1)]: 'A' (65) sorts before 'a' (97), unlike culture order.
        var v = Vocabulary.FromCounts(new Dictionary<string, int> { ["a"] = 2, ["c"] = 1, ["b"] = 3, ["A"] = 2 });
        Assert.Equal(["b", "A", "a", "c"], v.Words);
        Assert.Equal(4, v.Count);
        Assert.Equal(1, v.IdOf("A"));
        Assert.Equal("c", v.WordOf(3));
    }

    [Fact]
    public void BuildsFromFileWithEosPerLine()
    {
        using var dir = new TempDirectory();
        string path = dir.File("train.txt");
        System.IO.File.WriteAllText(path, " the cat <unk> \n the dog\n\nthe");
        var v = Vocabulary.FromFile(path);
        // Tokens: the cat <unk> <eos> the dog <eos> <eos> the <eos> -> <eos>:4, the:3, then ordinal: <unk> cat dog.
        Assert.Equal(["<eos>", "the", "<unk>", "cat", "dog"], v.Words);
        Assert.Equal(2, v.UnknownId);
    }

    [Fact]
    public void LookupsAndErrors()
    {
        var v = new Vocabulary(["x", "y"]);
        Assert.True(v.TryGetId("y", out int id));
        Assert.Equal(1, id);
        Assert.True(v.TryGetId("xy".AsSpan(1, 1), out id));
        Assert.Equal(1, id);
        Assert.False(v.TryGetId("z", out _));
        Assert.Equal(-1, v.UnknownId);
        var e = Assert.Throws<RecurrentException>(() => v.IdOf("z"));
        Assert.Contains("'z'", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => v.WordOf(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => v.WordOf(-1));
        Assert.Throws<ArgumentException>(() => new Vocabulary(["a", "b", "a"]));
    }

    [Fact]
    public void JsonRoundTrip()
    {
        var v = new Vocabulary(["<eos>", "the", "\"quoted\"", "naïve", "<unk>"]);
        string json = v.ToJson();
        Assert.StartsWith("[", json);
        var back = Vocabulary.FromJson(json);
        Assert.Equal(v.Words, back.Words);
        Assert.Equal(4, back.UnknownId);
        Assert.Throws<RecurrentException>(() => Vocabulary.FromJson("{\"a\": 1}"));
        Assert.Throws<RecurrentException>(() => Vocabulary.FromJson("[\"a\", \"a\"]"));
        Assert.Throws<RecurrentException>(() => Vocabulary.FromJson("not json"));
    }
}
