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
/// <para>The file is read as strict UTF-8 through a fixed buffer (<see cref="Utf8TextReader"/>), so memory use does not
/// grow with the file or its line lengths, and binary data or another encoding is refused with the offset and line
/// rather than read as words, as <see cref="Utf8TextFile"/> does for character models.</para>
/// </remarks>
public static class WordFile
{
    /// <summary>Calls <paramref name="visit"/> for every token of the file, in order.</summary>
    /// <exception cref="RecurrentException">The file cannot be read, or is not UTF-8 text (invalid UTF-8 or a NUL byte
    /// where it occurs, a binary-looking file at the end).</exception>
    public static void ForEachToken(string path, TokenVisitor visit) => ForEachToken(path, visit, 1 << 16);

    /// <summary>As <see cref="ForEachToken(string, TokenVisitor)"/> with a given initial character buffer size (tests use tiny ones).</summary>
    internal static void ForEachToken(string path, TokenVisitor visit, int bufferSize)
    {
        using (var reader = new Utf8TextReader(path))
        {
            // Scans a fixed character buffer rather than reading lines, so a file with very long lines (or none)
            // is not held in memory. A word cut by the end of the buffer is moved to the front before refilling;
            // the buffer grows only for a single word longer than it.
            char[] buffer = new char[Math.Max(1, bufferSize)];
            int filled = 0;           // characters in buffer[0 .. filled)
            int wordStart = -1;       // start of the word being read, or -1 between words
            int lineNumber = 1;
            bool lineHasCharacters = false;
            bool afterCarriageReturn = false;
            while (true)
            {
                int keep = wordStart >= 0 ? filled - wordStart : 0;
                if (keep > 0)
                {
                    Array.Copy(buffer, wordStart, buffer, 0, keep);
                    wordStart = 0;
                }
                if (buffer.Length - keep < 2) Array.Resize(ref buffer, Math.Max(4, buffer.Length * 2)); // room for a surrogate pair
                int read = reader.Read(buffer.AsSpan(keep));
                filled = keep + read;
                if (read == 0) break;

                for (int i = keep; i < filled; i++)
                {
                    char c = buffer[i];
                    if (!char.IsWhiteSpace(c))
                    {
                        if (wordStart < 0) wordStart = i;
                        lineHasCharacters = true;
                        afterCarriageReturn = false;
                        continue;
                    }
                    if (wordStart >= 0)
                    {
                        visit(buffer.AsSpan(wordStart, i - wordStart), lineNumber);
                        wordStart = -1;
                    }
                    if (c == '\n' && afterCarriageReturn)
                    {
                        // The second half of \r\n: the line already ended at \r.
                        afterCarriageReturn = false;
                        continue;
                    }
                    afterCarriageReturn = c == '\r';
                    if (c is '\n' or '\r')
                    {
                        visit(Vocabulary.EndOfSentence, lineNumber);
                        lineNumber++;
                        lineHasCharacters = false;
                    }
                    else
                    {
                        lineHasCharacters = true;
                    }
                }
            }
            if (wordStart >= 0) visit(buffer.AsSpan(wordStart, filled - wordStart), lineNumber);
            // A last line without a line break still ends a sentence.
            if (lineHasCharacters) visit(Vocabulary.EndOfSentence, lineNumber);
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
