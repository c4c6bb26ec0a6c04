using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Recurrent.Training;

namespace Recurrent.Data;

/// <summary>
/// The token ids of a word file, written once to a binary file and memory-mapped (<see cref="MappedTokens"/>), so
/// that neither the text nor its ids are ever held in memory whole.
/// </summary>
/// <remarks>
/// <para>Layout: a 64-byte header, then the ids as little-endian 32-bit integers. The header holds the magic
/// <c>RTOKIDS1</c>, the id count, and what the ids were made from: the text file's length and last-write time and a
/// hash of the vocabulary. <see cref="Open"/> rewrites a file whose header does not match the text and vocabulary
/// given (the text changed, or another vocabulary), so a stale file is never used.</para>
/// <para>The text is tokenised with <see cref="WordFile.ForEachToken(string, TokenVisitor)"/> through a fixed buffer,
/// with <see cref="WordFile.ReadIds"/>'s rules for words outside the vocabulary; the file is written atomically.</para>
/// </remarks>
internal static class TokenIdFile
{
    /// <summary>Bytes before the first id.</summary>
    public const int HeaderSize = 64;

    private static ReadOnlySpan<byte> Magic => "RTOKIDS1"u8;

    /// <summary>
    /// The ids of <paramref name="textPath"/> under <paramref name="vocabulary"/>, mapped from <paramref name="idPath"/>;
    /// the file is written first when it is missing or was made from another text or vocabulary.
    /// </summary>
    /// <exception cref="RecurrentException">The text cannot be read, holds a word the vocabulary cannot map, or the id file cannot be written or mapped.</exception>
    public static MappedTokens Open(string textPath, Vocabulary vocabulary, string idPath)
    {
        Header expected = HeaderOf(textPath, vocabulary);
        if (ReadHeader(idPath) is not { } found || found with { Count = 0 } != expected)
        {
            Write(textPath, vocabulary, idPath, expected);
            found = ReadHeader(idPath) ?? throw new RecurrentException($"{idPath} was written but cannot be read back.");
        }
        return new MappedTokens(idPath, HeaderSize, found.Count);
    }

    /// <summary>Tokenises <paramref name="textPath"/> into <paramref name="idPath"/> (atomically).</summary>
    public static void Write(string textPath, Vocabulary vocabulary, string idPath) => Write(textPath, vocabulary, idPath, HeaderOf(textPath, vocabulary));

    private static void Write(string textPath, Vocabulary vocabulary, string idPath, Header header)
    {
        int unknown = vocabulary.UnknownId;
        AtomicFile.Write(idPath, stream =>
        {
            stream.Write(new byte[HeaderSize]); // the count is known at the end
            var ids = new int[1 << 16];
            int filled = 0;
            long count = 0;
            WordFile.ForEachToken(textPath, (token, lineNumber) =>
            {
                if (!vocabulary.TryGetId(token, out int id))
                {
                    id = unknown >= 0 ? unknown : throw new RecurrentException(
                        $"{textPath}, line {lineNumber}: the word '{token.ToString()}' is not in the vocabulary, which has no {Vocabulary.Unknown} to stand for it.");
                }
                ids[filled++] = id;
                if (filled == ids.Length)
                {
                    WriteIds(stream, ids);
                    count += filled;
                    filled = 0;
                }
            });
            WriteIds(stream, ids.AsSpan(0, filled));
            count += filled;
            stream.Position = 0;
            stream.Write(Encode(header with { Count = count }));
        });
    }

    private static void WriteIds(Stream stream, Span<int> ids)
    {
        if (!BitConverter.IsLittleEndian)
            for (int i = 0; i < ids.Length; i++) ids[i] = BinaryPrimitives.ReverseEndianness(ids[i]);
        stream.Write(MemoryMarshal.AsBytes(ids));
    }

    /// <summary>What a file's header says: its id count and what it was made from.</summary>
    private readonly record struct Header(long Count, long TextLength, long TextWriteTicks, ulong VocabularyHash);

    private static Header HeaderOf(string textPath, Vocabulary vocabulary)
    {
        var info = new FileInfo(textPath);
        if (!info.Exists) throw new RecurrentException($"File '{textPath}' does not exist.");
        return new Header(0, info.Length, info.LastWriteTimeUtc.Ticks, VocabularyHash(vocabulary));
    }

    /// <summary>FNV-1a over the vocabulary's words in id order, each ended by a 0.</summary>
    private static ulong VocabularyHash(Vocabulary vocabulary)
    {
        ulong hash = 14695981039346656037UL;
        for (int id = 0; id < vocabulary.Count; id++)
        {
            foreach (char c in vocabulary.WordOf(id)) hash = (hash ^ c) * 1099511628211UL;
            hash *= 1099511628211UL;
        }
        return hash;
    }

    private static byte[] Encode(Header header)
    {
        var bytes = new byte[HeaderSize];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), header.Count);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16), header.TextLength);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(24), header.TextWriteTicks);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(32), header.VocabularyHash);
        return bytes;
    }

    /// <summary>The header of an id file whose length matches it, or null (missing, short, another format).</summary>
    private static Header? ReadHeader(string idPath)
    {
        try
        {
            using var stream = new FileStream(idPath, FileMode.Open, FileAccess.Read, FileShare.Read);
            var bytes = new byte[HeaderSize];
            if (stream.ReadAtLeast(bytes, HeaderSize, throwOnEndOfStream: false) < HeaderSize || !bytes.AsSpan(0, 8).SequenceEqual(Magic)) return null;
            var header = new Header(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)), BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(16)),
                BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(24)), BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(32)));
            return header.Count >= 0 && stream.Length == HeaderSize + header.Count * sizeof(int) ? header : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
