using System.Buffers;
using System.Text.Unicode;

namespace Recurrent.Data;

/// <summary>
/// Reads a whole text file as strict UTF-8, refusing what is not text: an empty file, a binary file, or
/// bytes that are not valid UTF-8 (which a lenient decoder would silently turn into U+FFFD and a character
/// model would then learn).
/// </summary>
internal static class Utf8TextFile
{
    /// <summary>
    /// Above this share of control characters (other than tab, line feed, vertical tab, form feed and carriage
    /// return) a file is taken for binary data that happens to decode as UTF-8.
    /// </summary>
    public const double MaxControlFraction = 0.1;

    /// <summary>Reads <paramref name="path"/>; a leading UTF-8 byte-order mark is dropped.</summary>
    /// <exception cref="RecurrentException">The file is missing, empty, binary or not valid UTF-8; the message names the file and, for bad bytes, their offset and line.</exception>
    public static string Read(string path)
    {
        if (!File.Exists(path)) throw new RecurrentException($"The text file '{path}' does not exist.");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new RecurrentException($"Cannot read the text file '{path}': {e.Message}", e);
        }
        return Decode(bytes, path);
    }

    /// <summary>Decodes <paramref name="bytes"/> with the same checks as <see cref="Read"/>; <paramref name="source"/> names them in errors.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string source)
    {
        int start = bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        if (bytes.Length - start == 0)
            throw new RecurrentException($"The text file '{source}' is empty: a character model needs text to learn from.");

        // A NUL byte never occurs in UTF-8 text; it is the usual sign of binary data (or of UTF-16 text).
        int nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
            throw new RecurrentException(
                $"The file '{source}' holds a NUL byte at offset {nul} (line {LineAt(bytes, nul)}): it looks like a binary file (or UTF-16 text), not UTF-8 text.");

        ReadOnlySpan<byte> body = bytes[start..];
        char[] chars = ArrayPool<char>.Shared.Rent(body.Length); // UTF-8 never needs more UTF-16 units than bytes
        try
        {
            OperationStatus status = Utf8.ToUtf16(body, chars, out int bytesRead, out int charsWritten, replaceInvalidSequences: false, isFinalBlock: true);
            if (status != OperationStatus.Done)
            {
                int offset = start + bytesRead;
                int shown = Math.Min(4, bytes.Length - offset);
                string hex = Convert.ToHexString(bytes.Slice(offset, shown));
                throw new RecurrentException(
                    $"The file '{source}' is not valid UTF-8: byte offset {offset} (line {LineAt(bytes, offset)}) starts an invalid sequence (bytes {hex}). Convert it to UTF-8 first (e.g. iconv -f latin1 -t utf-8).");
            }
            ReadOnlySpan<char> text = chars.AsSpan(0, charsWritten);
            int controls = 0;
            foreach (char c in text)
                if ((c < 0x20 && c is not ('\t' or '\n' or '\v' or '\f' or '\r')) || c == 0x7F)
                    controls++;
            if (controls > MaxControlFraction * text.Length)
                throw new RecurrentException(
                    $"The file '{source}' is {100.0 * controls / text.Length:F0}% control characters: it looks like a binary file, not text.");
            return new string(text);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static int LineAt(ReadOnlySpan<byte> bytes, int offset) => bytes[..offset].Count((byte)'\n') + 1;
}
