using System.Text;
using System.Text.Unicode;

namespace Recurrent.Data.Classification;

/// <summary>Strict UTF-8 for data files: invalid bytes are an error naming the file, byte offset and line, never U+FFFD.</summary>
internal static class StrictUtf8
{
    private static readonly UTF8Encoding Encoding = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Length of a leading UTF-8 byte-order mark (3) or 0.</summary>
    public static int BomLength(ReadOnlySpan<byte> bytes) => bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;

    /// <summary>Throws unless <paramref name="bytes"/> is valid UTF-8; <paramref name="source"/> names it.</summary>
    /// <param name="firstLine">The line number of the first byte (for a slice of a larger file).</param>
    public static void Validate(ReadOnlySpan<byte> bytes, string source, int firstLine = 1)
    {
        if (Utf8.IsValid(bytes)) return;
        int offset = 0;
        while (offset < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out int consumed) != System.Buffers.OperationStatus.Done) break;
            offset += consumed;
        }
        int line = firstLine + bytes[..offset].Count((byte)'\n');
        string hex = Convert.ToHexString(bytes.Slice(offset, Math.Min(4, bytes.Length - offset)));
        throw new RecurrentException(
            $"'{source}' is not valid UTF-8: byte offset {offset} (line {line}) starts an invalid sequence (bytes {hex}). " +
            "Convert it to UTF-8 first (e.g. iconv -f latin1 -t utf-8).");
    }

    /// <summary>Decodes <paramref name="bytes"/>, dropping a leading byte-order mark; throws as <see cref="Validate"/> does.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string source)
    {
        Validate(bytes, source);
        return Encoding.GetString(bytes[BomLength(bytes)..]);
    }
}
