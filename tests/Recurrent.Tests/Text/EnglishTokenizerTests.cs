using Recurrent.Text;

namespace Recurrent.Tests.Text;

public class EnglishTokenizerTests
{
    // Expected tokens worked out by hand from the book's preprocessor (and checked against Python's re module):
    // tags removed, emoticons found in the original case, lower-cased runs of word characters, then the emoticons
    // without their nose.
    [Theory]
    // The book's own example (Python Machine Learning, ch. 8): 'this is a test :) :( :)'.
    [InlineData("</a>This :) is :( a test :-)!", new[] { "this", "is", "a", "test", ":)", ":(", ":)" })]
    // ':-D' is an emoticon and its 'D' is also a word character, so 'd' is a word as well; "don't" is two words.
    [InlineData("Is this :-D <br />great? ;P =( don't", new[] { "is", "this", "d", "great", "p", "don", "t", ":D", ";P", "=(" })]
    // The book appends without a space ('film:)'); here the emoticon stays a token of its own.
    [InlineData("fun :) film", new[] { "fun", "film", ":)" })]
    // '<[^>]*>' takes everything between a '<' and the next '>', tag or not.
    [InlineData("a < b and c > d :-P", new[] { "a", "d", "p", ":P" })]
    // Python 3's \w: letters and numbers of any script and '_', not combining marks (U+0301 splits 'cafe').
    [InlineData("ÉCOLE 2nd Ⅻ ½ cafe\u0301 naïve x_y 漢字", new[] { "école", "2nd", "ⅻ", "½", "cafe", "naïve", "x_y", "漢字" })]
    [InlineData("<br /><br />", new string[0])]
    [InlineData("  \t\n ", new string[0])]
    [InlineData("...!!!", new string[0])]
    [InlineData("=) ;-( :P", new[] { "p", "=)", ";(", ":P" })]
    public void TokenizesLikeTheBook(string text, string[] expected)
    {
        Assert.Equal(expected, EnglishTokenizer.Tokenize(text));
    }

    [Fact]
    public void SpanHandlerSeesTheSameTokens()
    {
        const string text = "One <b>two</b> THREE :-) four;P";
        var seen = new List<string>();
        Tokenizer tokenizer = EnglishTokenizer.Tokenize;
        tokenizer(text, token => seen.Add(token.ToString()));
        Assert.Equal(["one", "two", "three", "four", "p", ":)", ";P"], seen);
        Assert.Equal(seen, EnglishTokenizer.Tokenize(text));
    }
}
