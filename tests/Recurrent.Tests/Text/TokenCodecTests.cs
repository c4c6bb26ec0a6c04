using Recurrent.Data;
using Recurrent.Text;

namespace Recurrent.Tests.Text;

public class TokenCodecTests
{
    private static readonly Vocabulary Words = new(["<eos>", "the", "cat", "<unk>", "sat"]);

    [Fact]
    public void WordContextStartsASentenceAndMapsUnknownWords()
    {
        var codec = new WordCodec(Words);
        Assert.Equal([0, 1, 2, 3], codec.EncodeContext("  the cat\tdog ", "text"));
        Assert.Equal([0], codec.EncodeContext("", "text"));
        Assert.Equal("\n", codec.Continuation(0));
        Assert.Equal("cat ", codec.Continuation(2));
        Assert.Equal("cat", codec.Token(2));
    }

    [Fact]
    public void WordSentenceScoresEveryWordAndTheEnd()
    {
        (int[] inputs, int[] targets) = new WordCodec(Words).EncodeSentence("the cat sat", "line 1");
        Assert.Equal([0, 1, 2, 4], inputs);
        Assert.Equal([1, 2, 4, 0], targets);
        var e = Assert.Throws<RecurrentException>(() => new WordCodec(Words).EncodeSentence("   ", "line 7"));
        Assert.Equal("line 7: the text has no words.", e.Message);
    }

    [Fact]
    public void WordErrorsNameTheWordAndTheSource()
    {
        var codec = new WordCodec(new Vocabulary(["<eos>", "a"]));
        var e = Assert.Throws<RecurrentException>(() => codec.EncodeContext("a b", "--prime"));
        Assert.Equal("--prime: the word 'b' is not in the model's vocabulary, which has no <unk>.", e.Message);
        Assert.Throws<RecurrentException>(() => new WordCodec(new Vocabulary(["a", "b"])));
    }

    [Fact]
    public void CharSentenceStartsAfterANewLineWhenThereIsOne()
    {
        var withNewLine = new CharCodec(CharVocabulary.FromText("ab\n"));
        int nl = withNewLine.Vocabulary.Encode("\n")[0], a = withNewLine.Vocabulary.Encode("a")[0], b = withNewLine.Vocabulary.Encode("b")[0];
        (int[] inputs, int[] targets) = withNewLine.EncodeSentence("ab", "text");
        Assert.Equal([nl, a], inputs);
        Assert.Equal([a, b], targets);
        Assert.Equal("\n", withNewLine.DefaultPrime);
        Assert.Equal([nl], withNewLine.EncodeContext("", "prime"));

        var without = new CharCodec(CharVocabulary.FromText("ab"));
        (inputs, targets) = without.EncodeSentence("aab", "text");
        Assert.Equal(without.Vocabulary.Encode("aa"), inputs);
        Assert.Equal(without.Vocabulary.Encode("ab"), targets);
        Assert.Equal("a", without.DefaultPrime);
        Assert.Throws<RecurrentException>(() => without.EncodeSentence("a", "text"));
    }

    [Fact]
    public void CharContextRefusesUnknownCharactersButScoringMapsThem()
    {
        var codec = new CharCodec(CharVocabulary.FromText("aaab\n", minCount: 2)); // 'b' and '\n' become U+FFFD
        var e = Assert.Throws<RecurrentException>(() => codec.EncodeContext("ab", "prime"));
        Assert.StartsWith("prime: the character 'b'", e.Message);
        (_, int[] targets) = codec.EncodeSentence("ab", "text");
        Assert.Equal(codec.Vocabulary.UnknownId, targets[^1]);
    }

    [Fact]
    public void ForKindPicksTheCodec()
    {
        Assert.IsType<WordCodec>(TokenCodec.ForKind("word", Words.ToJson()));
        Assert.IsType<CharCodec>(TokenCodec.ForKind("char", CharVocabulary.FromText("xy").ToJson()));
        Assert.Throws<RecurrentException>(() => TokenCodec.ForKind("classifier", Words.ToJson()));
    }
}
