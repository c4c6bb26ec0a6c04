using System.Text.RegularExpressions;

namespace Recurrent.Text;

/// <summary>
/// Python Machine Learning's tokenizer for English text (Raschka, ch. 8, used again for the IMDb RNN of ch. 16).
/// </summary>
/// <remarks>
/// <para>The book's <c>preprocessor</c> followed by <c>str.split()</c>:</para>
/// <code>
/// text = re.sub('&lt;[^&gt;]*&gt;', '', text)
/// emoticons = re.findall('(?::|;|=)(?:-)?(?:\)|\(|D|P)', text)
/// text = re.sub('[\W]+', ' ', text.lower()) + ' '.join(emoticons).replace('-', '')
/// tokens = text.split()
/// </code>
/// <para>so the tokens are the runs of word characters of the lower-cased text without HTML tags, followed by the
/// emoticons of the text in their original case with the nose removed (<c>:-)</c> → <c>:)</c>, <c>:-D</c> → <c>:D</c>).
/// Replacing every non-word run by a space and splitting on white space gives exactly the maximal runs of word
/// characters, which is what is enumerated here, without building the intermediate strings.</para>
/// <list type="bullet">
/// <item>A word character is Python 3's <c>\w</c>, <c>[\p{L}\p{N}_]</c>, as in the book; .NET's <c>\w</c> would differ
/// (it adds combining marks and connector punctuation, and lacks numbers such as <c>Ⅻ</c> and <c>½</c>).</item>
/// <item>One difference from the book, on purpose: it appends the emoticons without a space, so when the text ends in a
/// word character the last word and the first emoticon become one token (<c>"fun :) film"</c> gives <c>fun</c>,
/// <c>film:)</c>); here the emoticons are always tokens of their own (<c>fun</c>, <c>film</c>, <c>:)</c>).</item>
/// </list>
/// <para>On the 50,000 labelled IMDb reviews the tokens equal those of Python's <c>re</c> with that one change; the
/// book's gluing touches 110 of them.</para>
/// </remarks>
public static partial class EnglishTokenizer
{
    /// <summary>The name stored with models that use this tokenizer.</summary>
    public const string Name = "pml-english";

    [GeneratedRegex("<[^>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex HtmlTag();

    [GeneratedRegex(@"(?::|;|=)(?:-)?(?:\)|\(|D|P)", RegexOptions.CultureInvariant)]
    private static partial Regex Emoticon();

    [GeneratedRegex(@"[\p{L}\p{N}_]+", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    /// <summary>Calls <paramref name="onToken"/> for each token of <paramref name="text"/> in order (a <see cref="Tokenizer"/>).</summary>
    /// <remarks>Allocates at most two strings per text (without tags, lower-cased), none per token.</remarks>
    public static void Tokenize(string text, TokenHandler onToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(onToken);
        string stripped = HtmlTag().Replace(text, string.Empty);
        string lower = stripped.ToLowerInvariant();
        foreach (ValueMatch m in Word().EnumerateMatches(lower))
            onToken(lower.AsSpan(m.Index, m.Length));

        Span<char> noseless = stackalloc char[2];
        foreach (ValueMatch m in Emoticon().EnumerateMatches(stripped))
        {
            ReadOnlySpan<char> emoticon = stripped.AsSpan(m.Index, m.Length);
            if (emoticon.Length == 3) // eyes, nose '-', mouth
            {
                noseless[0] = emoticon[0];
                noseless[1] = emoticon[2];
                onToken(noseless[..2]);
            }
            else
            {
                onToken(emoticon);
            }
        }
    }

    /// <summary>The tokens of <paramref name="text"/> as strings (for tests, prediction and small inputs).</summary>
    public static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        Tokenize(text, token => tokens.Add(token.ToString()));
        return tokens;
    }
}
