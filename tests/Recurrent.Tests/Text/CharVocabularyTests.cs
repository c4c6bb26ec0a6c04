using System.Text;
using Recurrent.Data;

namespace Recurrent.Tests.Text;

public class CharVocabularyTests
{
    // Accented Latin (precomposed and combining), Greek, CJK (BMP), a supplementary CJK ideograph (U+20BB7),
    // emoji outside the BMP (U+1F600, U+1F980) and a ZWJ family sequence, tabs and newlines.
    private const string Mixed = "Ça va? naïve cafe\u0301 Ωμέγα\t漢字かな 𠮷野家 😀🦀 👩\u200D👩\u200D👧\nend\r\n";

    [Fact]
    public void RoundTripsMixedScriptTextOneRunePerToken()
    {
        CharVocabulary v = CharVocabulary.FromText(Mixed);
        int[] ids = v.Encode(Mixed);
        Assert.Equal(Mixed, v.Decode(ids));
        // One token per Unicode scalar value, not per UTF-16 unit.
        int runes = Mixed.EnumerateRunes().Count();
        Assert.Equal(runes, ids.Length);
        Assert.True(runes < Mixed.Length, "the text has surrogate pairs");
        Assert.Equal("😀", v.CharOf(v.Encode("😀").Single()));
        Assert.Equal("𠮷", v.CharOf(v.Encode("𠮷").Single()));
        // Every entry is a single rune, and the set is exactly the text's distinct runes.
        var expected = Mixed.EnumerateRunes().Select(r => r.Value).Distinct().Order().Select(c => new Rune(c).ToString()).ToArray();
        Assert.Equal(expected, v.Vocabulary.Words);
        Assert.Equal(-1, v.UnknownId);
    }

    [Fact]
    public void OrdersByCodePointWhateverTheTextOrder()
    {
        CharVocabulary a = CharVocabulary.FromText("😀zéa\n");
        CharVocabulary b = CharVocabulary.FromText("a\néz😀😀");
        Assert.Equal(["\n", "a", "z", "é", "😀"], a.Vocabulary.Words);
        Assert.Equal(a.Vocabulary.Words, b.Vocabulary.Words);
    }

    [Fact]
    public void JsonRoundTripKeepsIds()
    {
        CharVocabulary v = CharVocabulary.FromText(Mixed);
        CharVocabulary back = CharVocabulary.FromJson(v.ToJson());
        Assert.Equal(v.Vocabulary.Words, back.Vocabulary.Words);
        Assert.Equal(v.Encode(Mixed), back.Encode(Mixed));
    }

    [Fact]
    public void RejectsAVocabularyOfWords()
    {
        var e = Assert.Throws<RecurrentException>(() => new CharVocabulary(new Vocabulary(["a", "the"])));
        Assert.Contains("'the'", e.Message);
        Assert.Throws<RecurrentException>(() => CharVocabulary.FromJson("[\"a\", \"\\uD800\"]"));
    }

    [Fact]
    public void RareCharactersMapToTheReplacementCharacter()
    {
        const string text = "aaabbbc😀";
        CharVocabulary v = CharVocabulary.FromText(text, minCount: 2);
        Assert.Equal(["a", "b", CharVocabulary.UnknownSymbol], v.Vocabulary.Words);
        Assert.Equal(2, v.UnknownId);
        Assert.Equal([0, 0, 0, 1, 1, 1, 2, 2], v.Encode(text, mapUnknown: true));
        // Without mapping, an unknown character is an error naming it.
        var e = Assert.Throws<RecurrentException>(() => v.Encode(text));
        Assert.Contains("'c'", e.Message);
        Assert.Contains("U+0063", e.Message);
    }

    [Fact]
    public void UnknownCharacterErrorSaysWhere()
    {
        CharVocabulary v = CharVocabulary.FromText("ab\nab");
        var e = Assert.Throws<RecurrentException>(() => v.Encode("ab\na😀", source: "prime"));
        Assert.Contains("prime", e.Message);
        Assert.Contains("😀", e.Message);
        Assert.Contains("U+1F600", e.Message);
        Assert.Contains("character 5", e.Message);
        Assert.Contains("line 2", e.Message);
        // Control characters are shown escaped.
        e = Assert.Throws<RecurrentException>(() => v.Encode("a\t"));
        Assert.Contains("'\\t'", e.Message);
    }

    [Fact]
    public void LoneSurrogateIsAnError()
    {
        var e = Assert.Throws<RecurrentException>(() => CharVocabulary.FromText("ab\uD83Dc"));
        Assert.Contains("surrogate", e.Message);
        Assert.Contains("offset 2", e.Message);
    }

    [Fact]
    public void NeedsTwoCharacters()
    {
        Assert.Throws<RecurrentException>(() => CharVocabulary.FromText("aaaa"));
        Assert.Throws<RecurrentException>(() => CharVocabulary.FromText("ab", minCount: 0));
    }
}
