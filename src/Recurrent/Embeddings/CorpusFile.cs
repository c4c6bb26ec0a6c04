using System.IO.Compression;

namespace Recurrent.Embeddings;

/// <summary>
/// A training text for word embeddings, of any size: plain UTF-8, gzip, or the first entry of a zip archive.
/// It is only ever streamed, never loaded whole: once to count the words, then once per epoch and thread.
/// </summary>
public sealed class CorpusFile
{
    private CorpusFile(string path, CorpusFormat format, long length)
    {
        Path = path;
        Format = format;
        Length = length;
    }

    /// <summary>The file as given.</summary>
    public string Path { get; }

    /// <summary>How the text is stored, detected from the file's first bytes.</summary>
    public CorpusFormat Format { get; }

    /// <summary>The file's size in bytes (compressed size for gzip and zip).</summary>
    public long Length { get; }

    /// <summary>Opens <paramref name="path"/> and detects its format.</summary>
    /// <exception cref="RecurrentException">The file is missing or unreadable, is empty, or is a zip archive without entries.</exception>
    public static CorpusFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new RecurrentException($"The text file '{path}' does not exist.");
        Span<byte> magic = stackalloc byte[4];
        long length;
        int read;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            length = stream.Length;
            read = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecurrentException($"Cannot read the text file '{path}': {e.Message}", e);
        }
        if (length == 0) throw new RecurrentException($"The text file '{path}' is empty: there are no words to learn from.");
        CorpusFormat format = read >= 2 && magic[0] == 0x1F && magic[1] == 0x8B ? CorpusFormat.Gzip
            : read == 4 && magic[0] == 0x50 && magic[1] == 0x4B && magic[2] == 0x03 && magic[3] == 0x04 ? CorpusFormat.Zip
            : CorpusFormat.Plain;
        var file = new CorpusFile(path, format, length);
        if (format == CorpusFormat.Zip) file.OpenText().Dispose(); // refuse an archive without entries now, not in a training thread
        return file;
    }

    /// <summary>The decompressed text from its first byte. The caller disposes it.</summary>
    /// <exception cref="RecurrentException">The file cannot be opened or the archive is unreadable.</exception>
    public Stream OpenText()
    {
        FileStream file = OpenFile();
        try
        {
            switch (Format)
            {
                case CorpusFormat.Gzip:
                    return new GZipStream(file, CompressionMode.Decompress, leaveOpen: false);
                case CorpusFormat.Zip:
                    var archive = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: false);
                    if (archive.Entries.Count == 0)
                    {
                        archive.Dispose();
                        throw new RecurrentException($"The zip archive '{Path}' has no entries; the text must be its first file.");
                    }
                    return new ArchiveEntryStream(archive, archive.Entries[0].Open());
                default:
                    return file;
            }
        }
        catch (InvalidDataException e)
        {
            file.Dispose();
            throw new RecurrentException($"Cannot read '{Path}' as a {Format.ToString().ToLowerInvariant()} file: {e.Message}", e);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The plain text from byte <paramref name="offset"/> on. Only for <see cref="CorpusFormat.Plain"/>.</summary>
    internal Stream OpenPlainAt(long offset)
    {
        if (Format != CorpusFormat.Plain) throw new InvalidOperationException("Only plain text can be opened at an offset.");
        FileStream file = OpenFile();
        file.Position = offset;
        return file;
    }

    private FileStream OpenFile()
    {
        try
        {
            return new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecurrentException($"Cannot read the text file '{Path}': {e.Message}", e);
        }
    }

    /// <summary>An entry's stream that also disposes its archive (and so the file under it).</summary>
    private sealed class ArchiveEntryStream(ZipArchive archive, Stream entry) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => entry.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => entry.Read(buffer);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                entry.Dispose();
                archive.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
