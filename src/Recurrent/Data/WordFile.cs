using System.Text;

namespace Recurrent.Data;

/// <summary>Receives one token of a word file and the 1-based line it is on.</summary>
public delegate void TokenVisitor(ReadOnlySpan<char> token, int lineNumber);

/// <summary>
/// Tokenises a word-level text file (PTB style) the way the models read it.
/// </summary>
/// <remarks>
/// <para>The rule: a file is a sequence of lines (ended by <c>\n</c>, <c>\r\n</c> or <c>\r</c>; a last line
/// without a line break still counts); each line gives its words, split on white space
/// (<see cref="char.IsWhiteSpace(char)"/>), followed by <see cref="Vocabulary.EndOfSentence"/>.
/// An empty line gives just <c>&lt;eos&gt;</c>.</para>
/// <para>TensorFlow's reader.py does <c>f.read().replace("\n", "&lt;eos&gt;").split()</c>, which glues
/// <c>&lt;eos&gt;</c> to the neighbouring words unless the line starts and ends with a space, and adds none
/// after a last line without a newline. Every PTB line starts and ends with a space and the files end with a
/// newline, so both rules give the same tokens on PTB; ours does not depend on that spacing.</para>
/// <para>The file is read as UTF-8 one line at a time, so memory use does not grow with the file.</para>
/// </remarks>
public static class WordFile
{
    /// <summary>Calls <paramref name="visit"/> for every token of the file, in order.</summary>
    /// <exception cref="RecurrentException">The file cannot be read.</exception>
    public static void ForEachToken(string path, TokenVisitor visit)
    {
        StreamReader reader;
        try
        {
            reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true,
                new FileStreamOptions { Access = FileAccess.Read, Mode = FileMode.Open, Share = FileShare.Read, BufferSize = 1 << 16 });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecurrentException($"Cannot read '{path}': {e.Message}", e);
        }

        using (reader)
        {
            int lineNumber = 0;
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                lineNumber++;
                ReadOnlySpan<char> rest = line;
                while (true)
                {
                    int start = 0;
                    while (start < rest.Length && char.IsWhiteSpace(rest[start])) start++;
                    if (start == rest.Length) break;
                    int end = start + 1;
                    while (end < rest.Length && !char.IsWhiteSpace(rest[end])) end++;
                    visit(rest[start..end], lineNumber);
                    rest = rest[end..];
                }
                visit(Vocabulary.EndOfSentence, lineNumber);
            }
        }
    }

    /// <summary>
    /// The token ids of a file under <paramref name="vocabulary"/>. A word that is not in the vocabulary
    /// becomes <see cref="Vocabulary.Unknown"/> when the vocabulary has it.
    /// </summary>
    /// <exception cref="RecurrentException">A word is not in the vocabulary and the vocabulary has no <c>&lt;unk&gt;</c>
    /// (the message names the file, the line and the word), or the file cannot be read.</exception>
    public static int[] ReadIds(string path, Vocabulary vocabulary)
    {
        // Size the buffer from the file length: PTB has about 5.5 bytes per token, so this rarely regrows.
        long bytes = new FileInfo(path) is { Exists: true } info ? info.Length : 0;
        var ids = new List<int>((int)Math.Min(bytes / 4 + 16, 1 << 26));
        int unknown = vocabulary.UnknownId;
        ForEachToken(path, (token, lineNumber) =>
        {
            if (vocabulary.TryGetId(token, out int id))
                ids.Add(id);
            else if (unknown >= 0)
                ids.Add(unknown);
            else
                throw new RecurrentException(
                    $"{path}, line {lineNumber}: the word '{token.ToString()}' is not in the vocabulary, which has no {Vocabulary.Unknown} to stand for it.");
        });
        return ids.ToArray();
    }
}
