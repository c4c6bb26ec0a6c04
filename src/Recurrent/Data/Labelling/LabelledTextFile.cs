using System.IO.Compression;
using System.Text;

namespace Recurrent.Data.Labelling;

/// <summary>Reads the lines of a labelled-data file, gzip-compressed or not, as strict UTF-8, with line numbers for errors.</summary>
internal static class LabelledTextFile
{
    private const char Invalid = '\uFFFF';

    /// <summary>Receives one line (without its line break) and its 1-based number.</summary>
    public delegate void LineVisitor(string line, int lineNumber);

    /// <summary>
    /// Calls <paramref name="visit"/> for every line of <paramref name="path"/>. A file that starts with the gzip magic
    /// bytes (1F 8B) is decompressed, whatever its name; it must be a single gzip member (as gzip writes), since its
    /// completeness is checked against the size in its trailer.
    /// </summary>
    /// <exception cref="RecurrentException">The file is missing or unreadable, is a damaged gzip file, or is not UTF-8.</exception>
    public static void ForEachLine(string path, LineVisitor visit)
    {
        if (!File.Exists(path)) throw new RecurrentException($"The data file '{path}' does not exist.");
        Stream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecurrentException($"Cannot read '{path}': {e.Message}", e);
        }
        using (stream)
        {
            Span<byte> magic = stackalloc byte[2];
            int got = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            stream.Position = 0;
            if (!(got == 2 && magic[0] == 0x1F && magic[1] == 0x8B))
            {
                ForEachLine(stream, path, visit);
                return;
            }
            // GZipStream checks the CRC when the trailer is there but reads a cut-off file as if it ended early, so
            // compare the trailer's size field (uncompressed length mod 2^32, the file's last 4 bytes) with what came out.
            uint recordedSize = 0;
            if (stream.Length >= 18)
            {
                Span<byte> trailer = stackalloc byte[4];
                stream.Position = stream.Length - 4;
                stream.ReadExactly(trailer);
                recordedSize = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer);
                stream.Position = 0;
            }
            using var counted = new CountingStream(new GZipStream(stream, CompressionMode.Decompress));
            try
            {
                ForEachLine(counted, path, visit);
            }
            catch (RecurrentException e)
            {
                // A cut-off file usually ends in a cut-off line: report the cause rather than the symptom.
                try
                {
                    counted.CopyTo(Stream.Null);
                }
                catch (InvalidDataException)
                {
                    throw e;
                }
                if (stream.Length >= 18 && (uint)counted.BytesRead == recordedSize) throw;
                throw Truncated(path, counted.BytesRead, recordedSize, e);
            }
            if (stream.Length < 18 || (uint)counted.BytesRead != recordedSize) throw Truncated(path, counted.BytesRead, recordedSize, null);
        }
    }

    private static RecurrentException Truncated(string path, long bytes, uint recorded, Exception? symptom) =>
        new($"{path}: the gzip data is cut off or damaged (it decompresses to {bytes} bytes, its trailer records {recorded}); download the file again." +
            (symptom is null ? "" : $" Reading it stopped at: {symptom.Message}"));

    /// <summary>As <see cref="ForEachLine(string, LineVisitor)"/> for an open stream; <paramref name="source"/> names it in errors.</summary>
    public static void ForEachLine(Stream stream, string source, LineVisitor visit)
    {
        // Invalid bytes become the noncharacter U+FFFF, which no text holds, so the error can name the line they are
        // on (a throwing decoder fails while filling its buffer, lines ahead of the reader). No detection from byte-order
        // marks: on a UTF-8 one StreamReader would switch to an encoding that turns invalid bytes into U+FFFD unseen,
        // and on FF FE it would read the file as UTF-16. The encoding's own preamble, the UTF-8 mark, is still skipped.
        var encoding = (Encoding)new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).Clone();
        encoding.DecoderFallback = new DecoderReplacementFallback(Invalid.ToString());
        using var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16, leaveOpen: true);
        int lineNumber = 0;
        try
        {
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                lineNumber++;
                if (line.Contains(Invalid)) throw Error(source, lineNumber, "the bytes are not valid UTF-8; convert the file to UTF-8 first.");
                visit(line, lineNumber);
            }
        }
        catch (InvalidDataException e)
        {
            throw new RecurrentException($"{source}: the gzip data is damaged after line {lineNumber} ({e.Message}).", e);
        }
        catch (EndOfStreamException e)
        {
            throw new RecurrentException($"{source}: the gzip data ends early, after line {lineNumber}.", e);
        }
    }

    /// <summary>An error about line <paramref name="lineNumber"/> of <paramref name="source"/>.</summary>
    public static RecurrentException Error(string source, int lineNumber, string message) => new($"{source}, line {lineNumber}: {message}");
}
