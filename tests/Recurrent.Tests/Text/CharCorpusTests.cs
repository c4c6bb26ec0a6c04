using Recurrent.Tests.Support;
using Recurrent.Data;

namespace Recurrent.Tests.Text;

public class CharCorpusTests
{
    [Fact]
    public void ValidationIsTheEndOfTheText()
    {
        // 20 runes, 4 of them outside the BMP: the split counts characters, not UTF-16 units.
        const string text = "abcdefghijklmnop😀😀🦀é";
        CharCorpus corpus = CharCorpus.FromText(text, "t", validFraction: 0.2);
        Assert.Equal(20, corpus.Length);
        Assert.Equal(16, corpus.Train.Length);
        Assert.Equal(4, corpus.Valid.Length);
        Assert.Equal("abcdefghijklmnop", corpus.Vocabulary.Decode(corpus.Train));
        Assert.Equal("😀😀🦀é", corpus.Vocabulary.Decode(corpus.Valid));
    }

    [Fact]
    public void LoadsAFileWithAGivenVocabulary()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.txt");
        File.WriteAllText(path, "abababababababababab");
        CharVocabulary vocabulary = CharVocabulary.FromText("abc");
        CharCorpus corpus = CharCorpus.Load(path, vocabulary: vocabulary);
        Assert.Same(vocabulary, corpus.Vocabulary);
        Assert.Equal(18, corpus.Train.Length);
        Assert.Equal([0, 1], corpus.Valid);
        // A character outside a given vocabulary without an unknown symbol is an error naming the file.
        File.WriteAllText(path, "abababababababababaz");
        var e = Assert.Throws<RecurrentException>(() => CharCorpus.Load(path, vocabulary: vocabulary));
        Assert.Contains(path, e.Message);
        Assert.Contains("'z'", e.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void FractionMustBeInsideZeroOne(double fraction)
    {
        var e = Assert.Throws<RecurrentException>(() => CharCorpus.FromText("abababababab", "t", fraction));
        Assert.Contains("fraction", e.Message);
    }

    [Fact]
    public void TooShortTextIsAnError()
    {
        var e = Assert.Throws<RecurrentException>(() => CharCorpus.FromText("abab", "tiny.txt", 0.1));
        Assert.Contains("tiny.txt", e.Message);
    }
}
