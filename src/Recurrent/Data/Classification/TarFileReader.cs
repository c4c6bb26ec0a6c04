using System.Buffers;
using System.Globalization;
using System.Text;

namespace Recurrent.Data.Classification;

/// <summary>
/// Reads the regular files of a tar stream one after the other, strictly: POSIX ustar and PAX, GNU and V7 archives.
/// Used instead of <see cref="System.Formats.Tar.TarReader"/>, which (in .NET 10) checks no header checksum and
/// allocates the size a PAX or GNU long-name header declares before reading it, so that a damaged archive of a few
/// hundred bytes can take gigabytes.
/// </summary>
/// <remarks>
/// <para>The archive is 512-byte blocks: a header, then the entry's data padded to a whole block. A header's checksum
/// (bytes 148–155, octal) must be the sum of its bytes with those 8 counted as spaces (unsigned, or signed as some old
/// programs summed). Sizes are octal, or base-256 when the first byte is 0x80. Names are UTF-8; a ustar header adds its
/// prefix field (<c>prefix/name</c>); a PAX extended header (<c>x</c>) sets the next entry's <c>path</c> and <c>size</c>; a GNU
/// long-name entry (<c>L</c>) sets the next entry's name. A PAX global header (<c>g</c>) is checked and ignored. The archive
/// ends at an all-zero block, or where the data ends between two entries.</para>
/// <para>Metadata entries are read into memory only up to <see cref="MaxMetadataLength"/>; the data of other entries is
/// streamed, so memory never follows a size the archive declares but does not hold.</para>
/// </remarks>
/// <exception cref="InvalidDataException">From every member: the archive is damaged; the message says where and how.</exception>
internal sealed class TarFileReader(Stream stream)
{
    /// <summary>The largest PAX header or GNU long name read (real ones take a few hundred bytes).</summary>
    public const int MaxMetadataLength = 1 << 20;

    private const int Block = 512;
    private readonly byte[] _header = new byte[Block];
    private long _offset;          // bytes of the archive consumed
    private long _remaining;       // data bytes of the current entry not yet consumed
    private long _padding;         // padding after the current entry's data

    /// <summary>The current file's path inside the archive, as stored (a leading <c>./</c> kept).</summary>
    public string Name { get; private set; } = "";

    /// <summary>The current file's length in bytes, as its header declares.</summary>
    public long Length { get; private set; }

    /// <summary>Where the current file's header starts in the (uncompressed) archive.</summary>
    public long HeaderOffset { get; private set; }

    /// <summary>Moves to the next regular file, skipping the rest of the current one and every other kind of entry.</summary>
    /// <returns>False at the end of the archive.</returns>
    public bool MoveNext()
    {
        Skip(_remaining + _padding);
        _remaining = _padding = 0;
        string? paxPath = null, longName = null;
        long? paxSize = null;
        while (true)
        {
            long start = _offset;
            int got = stream.ReadAtLeast(_header, Block, throwOnEndOfStream: false);
            _offset += got;
            if (got == 0) return false; // no end blocks: the data ends between two entries
            if (got < Block) throw Damaged(start, $"the archive ends inside a header ({got} of {Block} bytes)");
            if (!_header.AsSpan().ContainsAnyExcept((byte)0)) return false;
            CheckChecksum(start);
            long size = Number(_header.AsSpan(124, 12), start, "size");
            char type = (char)_header[156];
            string name = HeaderName(start);
            switch (type)
            {
                case 'x' or 'g':
                {
                    byte[] data = ReadMetadata(size, start, "PAX header");
                    var records = PaxRecords(data, start);
                    if (type == 'x')
                    {
                        paxPath = records.GetValueOrDefault("path");
                        if (records.TryGetValue("size", out string? text))
                            paxSize = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
                                ? value : throw Damaged(start, $"its PAX header gives the size '{text}'");
                    }
                    continue;
                }
                case 'L':
                {
                    byte[] data = ReadMetadata(size, start, "GNU long name");
                    int end = Array.IndexOf(data, (byte)0);
                    longName = Utf8(data.AsSpan(0, end < 0 ? data.Length : end), start, "long name");
                    continue;
                }
                case 'K':
                    ReadMetadata(size, start, "GNU long link name");
                    continue;
            }
            if (paxSize is { } overridden) size = overridden;
            name = paxPath ?? longName ?? name;
            paxPath = longName = null;
            paxSize = null;
            if (type is '1' or '2' or '3' or '4' or '5' or '6' && size != 0)
                throw Damaged(start, $"a '{type}' entry ({name}) has {size:N0} bytes of data; it holds none");
            _remaining = size;
            _padding = (Block - size % Block) % Block;
            if (type is '0' or '\0')
            {
                Name = name;
                Length = size;
                HeaderOffset = start;
                return true;
            }
            Skip(_remaining + _padding);
            _remaining = _padding = 0;
        }
    }

    /// <summary>Reads up to <paramref name="destination"/>'s length of the current file's data; 0 at its end.</summary>
    public int Read(Span<byte> destination)
    {
        if (_remaining == 0 || destination.IsEmpty) return 0;
        int n = stream.Read(destination[..(int)Math.Min(destination.Length, _remaining)]);
        if (n == 0) throw Damaged(HeaderOffset, $"the archive ends inside the data of '{Name}' ({_remaining:N0} of {Length:N0} bytes missing)");
        _offset += n;
        _remaining -= n;
        return n;
    }

    private void Skip(long count)
    {
        if (count == 0) return;
        byte[] scratch = ArrayPool<byte>.Shared.Rent(1 << 14);
        try
        {
            while (count > 0)
            {
                int n = stream.Read(scratch, 0, (int)Math.Min(scratch.Length, count));
                if (n == 0) throw Damaged(_offset, "the archive ends inside an entry's data");
                _offset += n;
                count -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private byte[] ReadMetadata(long size, long start, string what)
    {
        if (size > MaxMetadataLength) throw Damaged(start, $"a {what} of {size:N0} bytes (at most {MaxMetadataLength:N0} are read)");
        // Grown as the data arrives (at most twice what came), not allocated at the declared size up front.
        var data = new byte[Math.Min((int)size, 1 << 12)];
        int filled = 0;
        while (filled < size)
        {
            if (filled == data.Length) Array.Resize(ref data, (int)Math.Min(size, 2L * data.Length));
            int n = stream.Read(data, filled, data.Length - filled);
            if (n == 0) throw Damaged(start, $"the archive ends inside a {what}");
            filled += n;
            _offset += n;
        }
        Skip((Block - size % Block) % Block);
        return data;
    }

    private void CheckChecksum(long start)
    {
        int unsignedSum = 8 * ' ', signedSum = 8 * ' ';
        for (int i = 0; i < Block; i++)
        {
            if (i is >= 148 and < 156) continue;
            unsignedSum += _header[i];
            signedSum += (sbyte)_header[i];
        }
        long recorded = Octal(_header.AsSpan(148, 8)) ?? -1;
        if (recorded != unsignedSum && recorded != signedSum) throw Damaged(start, "the header fails its checksum");
    }

    /// <summary>An octal field: optional leading spaces, digits, then only spaces or NULs; null when it holds no digits or more than fits.</summary>
    private static long? Octal(ReadOnlySpan<byte> field)
    {
        int i = 0;
        while (i < field.Length && field[i] == ' ') i++;
        long value = 0;
        int digits = 0;
        for (; i < field.Length && field[i] is >= (byte)'0' and <= (byte)'7'; i++, digits++)
        {
            if (value > long.MaxValue >> 3) return null;
            value = value << 3 | (long)(field[i] - '0');
        }
        if (digits == 0 || field[i..].IndexOfAnyExcept((byte)0, (byte)' ') >= 0) return null;
        return value;
    }

    /// <summary>A numeric field: octal, or base-256 (big-endian, positive) when its first byte is 0x80.</summary>
    private long Number(ReadOnlySpan<byte> field, long start, string what)
    {
        if (field[0] == 0x80)
        {
            // 12 bytes: the marker and 11 of value, of which a long holds the last 8.
            if (field[1..^8].IndexOfAnyExcept((byte)0) >= 0 || (field[^8] & 0x80) != 0)
                throw Damaged(start, $"the {what} field holds a number too large");
            long value = 0;
            foreach (byte b in field[^8..]) value = value << 8 | b;
            return value;
        }
        return Octal(field) ?? throw Damaged(start, $"the {what} field is not a number ({Convert.ToHexString(field)})");
    }

    /// <summary>The header's name, with the ustar prefix when the header is POSIX ustar or PAX.</summary>
    private string HeaderName(long start)
    {
        ReadOnlySpan<byte> h = _header;
        string name = Utf8(Terminated(h.Slice(0, 100)), start, "name");
        if (h.Slice(257, 8).SequenceEqual("ustar\u000000"u8) && Terminated(h.Slice(345, 155)) is { Length: > 0 } prefix)
            name = Utf8(prefix, start, "name prefix") + "/" + name;
        return name;
    }

    private static ReadOnlySpan<byte> Terminated(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return end < 0 ? field : field[..end];
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private string Utf8(ReadOnlySpan<byte> bytes, long start, string what) =>
        System.Text.Unicode.Utf8.IsValid(bytes) ? StrictUtf8.GetString(bytes) : throw Damaged(start, $"the {what} is not UTF-8");

    /// <summary>PAX records: "LENGTH key=value\n", LENGTH the record's bytes in decimal; a key given twice is an error.</summary>
    private Dictionary<string, string> PaxRecords(byte[] data, long start)
    {
        var records = new Dictionary<string, string>(StringComparer.Ordinal);
        int pos = 0;
        while (pos < data.Length)
        {
            int space = Array.IndexOf(data, (byte)' ', pos);
            if (space <= pos || space - pos > 9
                || !int.TryParse(data.AsSpan(pos, space - pos), NumberStyles.None, CultureInfo.InvariantCulture, out int length)
                || length <= space - pos + 1 || length > data.Length - pos || data[pos + length - 1] != '\n')
                throw Damaged(start, $"its PAX header has a bad record at byte {pos}");
            string record = Utf8(data.AsSpan(space + 1, pos + length - space - 2), start, "PAX record");
            int equals = record.IndexOf('=');
            if (equals <= 0 || !records.TryAdd(record[..equals], record[(equals + 1)..]))
                throw Damaged(start, $"its PAX header has a bad record at byte {pos}");
            pos += length;
        }
        return records;
    }

    private static InvalidDataException Damaged(long offset, string what) => new($"the tar entry at byte {offset:N0}: {what}.");
}
