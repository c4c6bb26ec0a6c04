using System.Buffers.Binary;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Recurrent.Data.Classification;
using Xunit.Abstractions;

namespace Recurrent.Tests.Fuzzing;

/// <summary>
/// The IMDb archive reader (<c>aclImdb_v1.tar.gz</c>: a gzip-compressed tar, read by
/// <see cref="ClassificationDataReader.Read"/>) under <see cref="ReaderFuzzer"/>, on small archives written in the test
/// in the PAX, GNU, ustar and V7 layouts.
/// </summary>
/// <remarks>
/// <para>A change to the compressed bytes almost always stops at gzip (its CRC), so most mutations here decompress
/// the archive, change the tar and compress it again: any generic mutation of the tar bytes; header fields changed with
/// the header checksum recomputed (sizes nearby, zero, huge in octal or base-256, negative; names; entry types); PAX
/// records and GNU long names changed; invalid UTF-8 inside a review; a review made longer or shorter with its size
/// kept true; the archive cut at an entry or inside one. Others change the gzip trailer or add bytes after it.</para>
/// <para>A read that succeeds is checked against an oracle written here: the gzip member must decompress whole, with the
/// CRC-32 (computed here) and length its trailer records; the tar is parsed by the POSIX rules (512-byte blocks, header
/// checksum, octal or base-256 sizes, ustar prefix, PAX <c>path</c> and <c>size</c> records, GNU long names; the archive ends
/// at a header with no checksum or at the end of the data); members <c>aclImdb/{train,test}/{neg,pos}/*.txt</c> (after a
/// leading <c>./</c>) are reviews, strict UTF-8 and not blank, a later member replacing an earlier one of the same path
/// (as extraction does), sorted by path.</para>
/// </remarks>
public class ImdbFuzzTests(ITestOutputHelper output) : FuzzTestBase(output)
{
    private const string FileName = "aclImdb_v1.tar.gz";

    private static readonly (string Path, string Text)[] Files =
    [
        ("aclImdb/README", "Large Movie Review Dataset v1.0\n"),
        ("aclImdb/train/pos/0_9.txt", "Bromwell High is a cartoon comedy. <br /><br />It ran at the same time."),
        ("aclImdb/train/unsup/0_0.txt", "unlabelled, skipped"),
        ("aclImdb/train/neg/10_2.txt", "\uFEFFAwful — “naïve” plot, 日本 😀."),
        ("aclImdb/imdb.vocab", "the\nand\n"),
        ("aclImdb/train/neg/0_3.txt", "Story of a man who has unnatural feelings for a pig."),
        ("aclImdb/test/pos/0_10.txt", "Great fun."),
        ("aclImdb/train/pos/1_8.txt", "Loved it :-)"),
        ("aclImdb/test/neg/0_2.txt", "Not good."),
    ];

    /// <summary>A member whose path is longer than a header's 100-byte name field (a GNU long name, or ustar's prefix).</summary>
    private static readonly string LongMember = "aclImdb/train/pos/" + new string('x', 90) + "_7.txt";

    private static byte[][] Examples() =>
    [
        Archive(TarEntryFormat.Pax, "", LongMember),
        Archive(TarEntryFormat.Gnu, "./", LongMember),
        Archive(TarEntryFormat.Ustar, "", LongMember),
        Archive(TarEntryFormat.V7, "./", null),
    ];

    private static byte[] Archive(TarEntryFormat format, string prefix, string? longMember)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, format))
        {
            tar.WriteEntry(Entry(format, TarEntryType.Directory, prefix + "aclImdb/", null));
            foreach (var (path, text) in Files) tar.WriteEntry(Entry(format, RegularFile(format), prefix + path, Encoding.UTF8.GetBytes(text)));
            if (longMember is not null) tar.WriteEntry(Entry(format, RegularFile(format), prefix + longMember, "Long name, good film."u8.ToArray()));
        }
        return output.ToArray();
    }

    private static TarEntryType RegularFile(TarEntryFormat format) => format == TarEntryFormat.V7 ? TarEntryType.V7RegularFile : TarEntryType.RegularFile;

    private static TarEntry Entry(TarEntryFormat format, TarEntryType type, string name, byte[]? data)
    {
        TarEntry entry = format switch
        {
            TarEntryFormat.Pax => new PaxTarEntry(type, name),
            TarEntryFormat.Gnu => new GnuTarEntry(type, name),
            TarEntryFormat.Ustar => new UstarTarEntry(type, name),
            _ => new V7TarEntry(type, name),
        };
        if (data is not null) entry.DataStream = new MemoryStream(data);
        return entry;
    }

    [Fact]
    public void ImdbArchiveRead()
    {
        RunAndReport(Fuzzer("imdb-tar-gz", Examples(), path => ClassificationDataReader.Read(path),
            (bytes, result) => AssertReviews(Oracle(bytes), (ClassificationData)result!), FileName).With(Mutations));
    }

    /// <summary>The oracle's own reading must accept the unchanged examples and find every review in them.</summary>
    [Fact]
    public void TheOracleReadsTheValidArchives()
    {
        foreach (byte[] example in Examples())
        {
            var (train, test) = Oracle(example);
            Assert.Equal(["aclImdb/train/neg/0_3.txt", "aclImdb/train/neg/10_2.txt", "aclImdb/train/pos/0_9.txt", "aclImdb/train/pos/1_8.txt"],
                train.Where(r => r.Member != LongMember).Select(r => r.Member));
            Assert.Equal(["aclImdb/test/neg/0_2.txt", "aclImdb/test/pos/0_10.txt"], test.Select(r => r.Member));
            Assert.Equal("Awful — “naïve” plot, 日本 😀.", train[1].Text);
        }
        Assert.Contains(Oracle(Examples()[0]).Train, r => r.Member == LongMember);
        Assert.Contains(Oracle(Examples()[1]).Train, r => r.Member == LongMember);
        Assert.Contains(Oracle(Examples()[2]).Train, r => r.Member == LongMember);
    }

    // ---- The oracle ----

    private sealed record Review(string Member, string Text, string Label);

    private static void AssertReviews((List<Review> Train, List<Review> Test) expected, ClassificationData data)
    {
        Assert.True(expected.Train.Select(r => r.Label).Distinct().Count() >= 2, "fewer than two labels in training but read");
        Assert.Equal(expected.Train.Select(r => (r.Member, r.Text, r.Label)), data.Train.Select(e => (Member(e.Source), e.Text, e.Label)));
        if (expected.Test.Count == 0) Assert.Null(data.Test);
        else Assert.Equal(expected.Test.Select(r => (r.Member, r.Text, r.Label)), data.Test!.Select(e => (Member(e.Source), e.Text, e.Label)));
    }

    /// <summary>The member path of a source <c>…/aclImdb_v1.tar.gz:MEMBER</c>.</summary>
    private static string Member(string source)
    {
        int at = source.IndexOf(FileName + ":", StringComparison.Ordinal);
        Assert.True(at >= 0, $"source '{source}'");
        return source[(at + FileName.Length + 1)..];
    }

    private static (List<Review> Train, List<Review> Test) Oracle(byte[] bytes)
    {
        byte[] tar = Gunzip(bytes);
        var reviews = new Dictionary<string, Review>(StringComparer.Ordinal);
        Dictionary<string, string>? pax = null;
        string? longName = null;
        int pos = 0;
        while (pos < tar.Length)
        {
            Assert.True(tar.Length - pos >= 512, $"a header cut at {pos}");
            byte[] h = tar[pos..(pos + 512)];
            if (!h.AsSpan().ContainsAnyExcept((byte)0)) break; // the end-of-archive blocks
            int sum = 0, signedSum = 0;
            for (int i = 0; i < 512; i++)
            {
                sum += i is >= 148 and < 156 ? ' ' : h[i];
                signedSum += i is >= 148 and < 156 ? ' ' : (sbyte)h[i];
            }
            long? checksum = Octal(h[148..156]);
            Assert.True(checksum == sum || checksum == signedSum, $"header at {pos}: checksum");
            char type = (char)h[156];
            bool metadata = type is 'x' or 'g' or 'L' or 'K';
            long size = Numeric(h[124..136]);
            if (metadata) Assert.True(size <= 1 << 20, $"header at {pos}: a metadata entry of {size} bytes, more than the reader's limit");
            if (!metadata && pax is not null && pax.TryGetValue("size", out string? paxSize))
            {
                Assert.True(long.TryParse(paxSize, NumberStyles.None, CultureInfo.InvariantCulture, out size), $"PAX size '{paxSize}'");
            }
            Assert.True(size >= 0, $"header at {pos}: size {size}");
            Assert.True(size <= tar.Length - pos - 512, $"header at {pos}: {size} bytes of data, past the end");
            if (type is '1' or '2' or '3' or '4' or '5' or '6') Assert.True(size == 0, $"header at {pos}: a '{type}' entry with data");
            byte[] data = tar[(pos + 512)..(pos + 512 + (int)size)];
            long next = pos + 512 + (size + 511) / 512 * 512;
            Assert.True(next <= tar.Length, $"header at {pos}: the padding after the data is cut");
            string name = Field(h[0..100]);
            if (h.AsSpan(257, 8).SequenceEqual("ustar\u000000"u8) && Field(h[345..500]) is { Length: > 0 } prefix) name = prefix + "/" + name;
            pos = (int)next;
            switch (type)
            {
                case 'x':
                    pax = PaxRecords(data);
                    continue;
                case 'g':
                    PaxRecords(data);
                    continue;
                case 'L':
                    longName = Field(data);
                    continue;
                case 'K':
                    continue;
            }
            if (pax is not null && pax.TryGetValue("path", out string? paxPath)) name = paxPath;
            else if (longName is not null) name = longName;
            pax = null;
            longName = null;
            if (type is not ('0' or '\0')) continue;
            if (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
            string[] parts = name.Split('/');
            if (parts is not ["aclImdb", "train" or "test", "neg" or "pos", var file] || !file.EndsWith(".txt", StringComparison.Ordinal)) continue;
            string? text = StrictText(data);
            Assert.True(text is not null, $"{name}: not UTF-8 but read");
            Assert.False(string.IsNullOrWhiteSpace(text), $"{name}: blank but read");
            reviews[name] = new Review(name, text, parts[2]);
        }
        var sorted = reviews.Values.OrderBy(r => r.Member, StringComparer.Ordinal).ToList();
        return (sorted.Where(r => r.Member.StartsWith("aclImdb/train/", StringComparison.Ordinal)).ToList(),
            sorted.Where(r => r.Member.StartsWith("aclImdb/test/", StringComparison.Ordinal)).ToList());
    }

    /// <summary>A NUL-terminated (or full) header field, which must be UTF-8.</summary>
    private static string Field(byte[] field)
    {
        int end = Array.IndexOf(field, (byte)0);
        byte[] bytes = field[..(end < 0 ? field.Length : end)];
        Assert.True(System.Text.Unicode.Utf8.IsValid(bytes), "a name that is not UTF-8");
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>An octal field: digits after optional leading spaces, up to a space or NUL; null when there are none.</summary>
    private static long? Octal(byte[] field)
    {
        int i = 0;
        while (i < field.Length && field[i] == ' ') i++;
        long value = 0;
        int digits = 0;
        for (; i < field.Length && field[i] is >= (byte)'0' and <= (byte)'7'; i++, digits++)
        {
            Assert.True(value <= long.MaxValue >> 3, "an octal field overflows");
            value = value * 8 + (field[i] - '0');
        }
        for (; i < field.Length; i++) Assert.True(field[i] is 0 or (byte)' ', "a character in an octal field");
        return digits == 0 ? null : value;
    }

    /// <summary>A numeric field: octal, or base-256 (big-endian two's complement) when the first byte has its top bit set.</summary>
    private static long Numeric(byte[] field)
    {
        if ((field[0] & 0x80) == 0)
        {
            long? octal = Octal(field);
            Assert.True(octal is not null, "a numeric field without digits");
            return octal.Value;
        }
        Assert.True(field[0] is 0x80 or 0xFF, "a base-256 field's first byte");
        bool negative = field[0] == 0xFF;
        for (int i = 1; i < field.Length - 8; i++) Assert.True(field[i] == (negative ? 0xFF : 0), "a base-256 value beyond 64 bits");
        long value = negative ? -1 : 0;
        for (int i = field.Length - 8; i < field.Length; i++) value = (value << 8) | field[i];
        Assert.True(negative == value < 0, "a base-256 value beyond 64 bits");
        return value;
    }

    /// <summary>PAX records: "LENGTH key=value\n", LENGTH the record's bytes in decimal.</summary>
    private static Dictionary<string, string> PaxRecords(byte[] data)
    {
        var records = new Dictionary<string, string>(StringComparer.Ordinal);
        int pos = 0;
        while (pos < data.Length)
        {
            int space = Array.IndexOf(data, (byte)' ', pos);
            Assert.True(space > pos, "a PAX record without its length");
            string digits = Encoding.ASCII.GetString(data, pos, space - pos);
            Assert.True(digits.All(char.IsAsciiDigit) && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out _), $"PAX record length '{digits}'");
            int length = int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
            Assert.True(length > space - pos + 1 && pos + length <= data.Length && data[pos + length - 1] == '\n', "a PAX record's length");
            string? record = StrictText(data[(space + 1)..(pos + length - 1)]);
            Assert.True(record is not null, "a PAX record that is not UTF-8");
            int equals = record.IndexOf('=');
            Assert.True(equals > 0, "a PAX record without key=value");
            Assert.True(records.TryAdd(record[..equals], record[(equals + 1)..]), "a PAX key given twice");
            pos += length;
        }
        return records;
    }

    /// <summary>The content of a gzip file that must be one whole member: it decompresses, and its trailer records the CRC-32 and length (mod 2³²) of what came out.</summary>
    private static byte[] Gunzip(byte[] bytes)
    {
        Assert.True(bytes.Length >= 18 && bytes[0] == 0x1F && bytes[1] == 0x8B, "not gzip, or too short for a gzip member");
        using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        byte[] content = output.ToArray();
        Assert.True(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 8)) == Crc32(content), "the trailer's CRC-32");
        Assert.True(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)) == (uint)content.Length, "the trailer's length");
        return content;
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    // ---- Mutations ----

    private static IEnumerable<(string Name, ReaderFuzzer.Mutation Apply)> Mutations =>
    [
        ("gz-trailer", GzipTrailer),
        ("gz-append", GzipAppend),
        ("tar-bytes", (valid, random) => OnTar(valid, tar =>
        {
            var generic = ReaderFuzzer.GenericMutations.ToList();
            return generic[random.Next(generic.Count)].Apply(tar, random);
        })),
        ("tar-size", (valid, random) => OnEntries(valid, random, TarSize)),
        ("tar-name", (valid, random) => OnEntries(valid, random, TarName)),
        ("tar-type", (valid, random) => OnEntries(valid, random, TarType)),
        ("tar-metadata", (valid, random) => OnEntries(valid, random, TarMetadata)),
        ("review-utf8", (valid, random) => OnEntries(valid, random, ReviewUtf8)),
        ("review-length", (valid, random) => OnEntries(valid, random, ReviewLength)),
        ("tar-cut", (valid, random) => OnTar(valid, tar => TarCut(tar, random))),
    ];

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var z = new GZipStream(output, CompressionLevel.Fastest)) z.Write(bytes);
        return output.ToArray();
    }

    private static byte[] Decompress(byte[] gz)
    {
        using var input = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] OnTar(byte[] valid, Func<byte[], byte[]> change) => Gzip(change(Decompress(valid)));

    /// <summary>A CRC or length byte of the trailer changed, or the length set to nearby or absurd values.</summary>
    private static byte[] GzipTrailer(byte[] valid, Random random)
    {
        byte[] b = (byte[])valid.Clone();
        if (random.Next(2) == 0) b[b.Length - 8 + random.Next(8)] ^= (byte)(1 << random.Next(8));
        else
        {
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(b.Length - 4));
            uint[] choices = [size + 1, size - 1, size + 512, size - 512, 0, uint.MaxValue, size + (1u << 31)];
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(b.Length - 4), choices[random.Next(choices.Length)]);
        }
        return b;
    }

    /// <summary>Bytes after the member: random ones, zeros, or a copy of the gzip header.</summary>
    private static byte[] GzipAppend(byte[] valid, Random random)
    {
        byte[] extra = (random.Next(3)) switch
        {
            0 => new byte[1 + random.Next(1024)],
            1 => valid[..10],
            _ => Enumerable.Range(0, 1 + random.Next(64)).Select(_ => (byte)random.Next(256)).ToArray(),
        };
        return [.. valid, .. extra];
    }

    /// <summary>One tar entry: its 512-byte header and its data (without padding).</summary>
    private sealed class TarEntryBytes(byte[] header, byte[] data)
    {
        public byte[] Header = header;
        public byte[] Data = data;
        public char Type => (char)Header[156];
        public string Name => Encoding.UTF8.GetString(Header, 0, Math.Max(0, Array.IndexOf(Header, (byte)0)));
    }

    /// <summary>Splits a valid tar (as the examples are) into entries and the end-of-archive blocks; changes them; joins and compresses them again.</summary>
    private static byte[] OnEntries(byte[] valid, Random random, Action<List<TarEntryBytes>, Random> change)
    {
        byte[] tar = Decompress(valid);
        var entries = new List<TarEntryBytes>();
        int pos = 0;
        while (tar.AsSpan(pos, 512).ContainsAnyExcept((byte)0))
        {
            int size = (int)Octal(tar[(pos + 124)..(pos + 136)])!.Value;
            entries.Add(new TarEntryBytes(tar[pos..(pos + 512)], tar[(pos + 512)..(pos + 512 + size)]));
            pos += 512 + (size + 511) / 512 * 512;
        }
        change(entries, random);
        using var output = new MemoryStream();
        foreach (TarEntryBytes e in entries)
        {
            output.Write(e.Header);
            output.Write(e.Data);
            output.Write(new byte[(512 - e.Data.Length % 512) % 512]);
        }
        output.Write(tar.AsSpan(pos));
        return Gzip(output.ToArray());
    }

    private static void SetChecksum(byte[] header)
    {
        int sum = 0;
        for (int i = 0; i < 512; i++) sum += i is >= 148 and < 156 ? ' ' : header[i];
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
    }

    private static void SetOctal(byte[] header, int at, int length, long value) =>
        Encoding.ASCII.GetBytes(Convert.ToString(value, 8).PadLeft(length - 1, '0') + "\0").CopyTo(header, at);

    private static void SetBase256(byte[] header, int at, int length, long value)
    {
        for (int i = length - 1; i >= 1; i--, value >>= 8) header[at + i] = (byte)value;
        header[at] = value < 0 ? (byte)0xFF : (byte)0x80;
    }

    private static TarEntryBytes Pick(List<TarEntryBytes> entries, Random random, Func<TarEntryBytes, bool>? where = null)
    {
        var candidates = where is null ? entries : entries.Where(where).ToList();
        return candidates.Count > 0 ? candidates[random.Next(candidates.Count)] : entries[random.Next(entries.Count)];
    }

    /// <summary>The size field of a header (checksum recomputed) set nearby, to zero, beyond the archive, huge in octal or base-256, or negative.</summary>
    private static void TarSize(List<TarEntryBytes> entries, Random random)
    {
        TarEntryBytes e = Pick(entries, random);
        long size = e.Data.Length;
        switch (random.Next(3))
        {
            case 0:
                long[] octal = [size + 1, size - 1, size + 512, size - 512, size + 513, 0, 1, 511, 512, 100_000, 10_000_000, 8_589_934_591];
                SetOctal(e.Header, 124, 12, Math.Max(0, octal[random.Next(octal.Length)]));
                break;
            case 1:
                long[] base256 = [size, size + 1, 1L << 31, (1L << 31) - 1, 1L << 33, 1L << 40, 1L << 62, long.MaxValue, -1, -512, long.MinValue];
                SetBase256(e.Header, 124, 12, base256[random.Next(base256.Length)]);
                break;
            default:
                string[] text = ["", "        ", "8", "0x10", "-1", "77777777777 ", " 1", "1 1", "\u00ff"];
                byte[] field = new byte[12];
                Encoding.Latin1.GetBytes(text[random.Next(text.Length)]).CopyTo(field, 0);
                field.CopyTo(e.Header, 124);
                break;
        }
        SetChecksum(e.Header);
    }

    /// <summary>A header's name (checksum recomputed): another member's, a review path, one outside the reviews, empty, invalid UTF-8, or 100 bytes without a NUL.</summary>
    private static void TarName(List<TarEntryBytes> entries, Random random)
    {
        TarEntryBytes e = Pick(entries, random);
        byte[][] names =
        [
            Encoding.UTF8.GetBytes(Pick(entries, random).Name), "aclImdb/test/pos/9_9.txt"u8.ToArray(), "aclImdb/train/neg/1_1.txt"u8.ToArray(),
            "aclImdb/train/unsup/1_0.txt"u8.ToArray(), "./aclImdb/train/neg/5_5.txt"u8.ToArray(), "aclImdb/train/neg/"u8.ToArray(), "aclImdb/train/neg/.txt"u8.ToArray(),
            [.. "aclImdb/train/pos/"u8, 0xFF, 0xFE, .. ".txt"u8], [(byte)'a', (byte)'c', 0xC0, 0x80, (byte)'/'], [], "/aclImdb/train/pos/1_1.txt"u8.ToArray(),
            "aclImdb//train/pos/2_2.txt"u8.ToArray(), Encoding.ASCII.GetBytes("aclImdb/train/pos/" + new string('y', 78) + ".txt"),
        ];
        byte[] name = names[random.Next(names.Length)];
        Array.Clear(e.Header, 0, 100);
        name.AsSpan(0, Math.Min(100, name.Length)).CopyTo(e.Header);
        if (random.Next(3) == 0) Array.Clear(e.Header, 345, 155); // and the ustar prefix
        SetChecksum(e.Header);
    }

    /// <summary>A header's entry type (checksum recomputed): regular, V7 regular, directory, links, devices, PAX, GNU long names, sparse, contiguous, unknown.</summary>
    private static void TarType(List<TarEntryBytes> entries, Random random)
    {
        TarEntryBytes e = Pick(entries, random);
        const string types = "0\u00005123467xgLKSDMNVZ";
        e.Header[156] = (byte)types[random.Next(types.Length)];
        SetChecksum(e.Header);
    }

    /// <summary>A PAX record (its length, a size or path value, a record added) or a GNU long name changed, the entry's size and checksum kept true.</summary>
    private static void TarMetadata(List<TarEntryBytes> entries, Random random)
    {
        TarEntryBytes e = Pick(entries, random, x => x.Type is 'x' or 'L');
        if (e.Type is not ('x' or 'L'))
        {
            // No metadata entry in this layout (V7): add one before the entry, a PAX header or a GNU long name.
            var added = new TarEntryBytes((byte[])e.Header.Clone(), []);
            added.Header[156] = (byte)(random.Next(2) == 0 ? 'x' : 'L');
            entries.Insert(entries.IndexOf(e), added);
            e = added;
        }
        if (e.Type == 'L')
        {
            string[] names = ["aclImdb/train/neg/7_1.txt\0", "aclImdb/test/pos/7_1.txt", "", "\0", "aclImdb/train/pos/\ud800.txt\0", LongMember.Replace("train", "test") + "\0"];
            e.Data = Encoding.UTF8.GetBytes(names[random.Next(names.Length)]);
        }
        else
        {
            string text = Encoding.UTF8.GetString(e.Data);
            string[] values = ["size=0", "size=1", "size=100000000000", "size=-1", "size=9223372036854775807", "size=99999999999999999999", "size=1e3", "size=",
                "path=aclImdb/train/neg/8_1.txt", "path=", "path=./aclImdb/test/neg/8_1.txt", "mtime=x", "size=12", "size=13"];
            string record = values[random.Next(values.Length)];
            switch (random.Next(3))
            {
                case 0: // a record added with its right length
                    text += PaxRecord(record);
                    break;
                case 1: // a length changed
                    int space = text.IndexOf(' ');
                    if (space <= 0)
                    {
                        text += PaxRecord(record);
                        break;
                    }
                    string[] lengths = ["0", "1", "999999999999", "-5", "x", "", ((int.Parse(text[..space], CultureInfo.InvariantCulture)) + 1).ToString(CultureInfo.InvariantCulture)];
                    text = lengths[random.Next(lengths.Length)] + text[space..];
                    break;
                default: // a record with a wrong length
                    text += $"{random.Next(40)} {record}\n";
                    break;
            }
            e.Data = Encoding.UTF8.GetBytes(text);
        }
        SetOctal(e.Header, 124, 12, e.Data.Length);
        SetChecksum(e.Header);
    }

    /// <summary>"LENGTH record\n" with LENGTH counting its own digits.</summary>
    private static string PaxRecord(string record)
    {
        int n = Encoding.UTF8.GetByteCount(record) + 2;
        int length = n + n.ToString(CultureInfo.InvariantCulture).Length;
        length = n + length.ToString(CultureInfo.InvariantCulture).Length;
        return $"{length} {record}\n";
    }

    /// <summary>Invalid UTF-8 inside a review, its size kept true.</summary>
    private static void ReviewUtf8(List<TarEntryBytes> entries, Random random)
    {
        TarEntryBytes e = Pick(entries, random, x => x.Name.EndsWith(".txt", StringComparison.Ordinal) && x.Data.Length > 0);
        byte[][] bad = [[0xC0, 0x80], [0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xFF], [0xF4, 0x90, 0x80, 0x80]];
        byte[] b = bad[random.Next(bad.Length)];
        int at = random.Next(e.Data.Length + 1);
        e.Data = [.. e.Data.AsSpan(0, at), .. b, .. e.Data.AsSpan(at)];
        SetOctal(e.Header, 124, 12, e.Data.Length);
        SetChecksum(e.Header);
    }

    /// <summary>A review made longer (across a block boundary too), shorter, blank or empty, its size kept true: still a valid archive.</summary>
    private static void ReviewLength(List<TarEntryBytes> entries, Random random)
    {
        TarEntryBytes e = Pick(entries, random, x => x.Name.EndsWith(".txt", StringComparison.Ordinal));
        e.Data = random.Next(5) switch
        {
            0 => [],
            1 => "  \n\t "u8.ToArray(),
            2 => e.Data[..random.Next(e.Data.Length + 1)],
            _ => [.. e.Data, .. Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(" Also “great”.", 1 + random.Next(100))))],
        };
        SetOctal(e.Header, 124, 12, e.Data.Length);
        SetChecksum(e.Header);
    }

    /// <summary>The tar cut at a block boundary (after an entry, without its end blocks) or anywhere, then compressed whole.</summary>
    private static byte[] TarCut(byte[] tar, Random random) =>
        random.Next(2) == 0 ? tar[..(512 * random.Next(tar.Length / 512 + 1))] : tar[..random.Next(tar.Length + 1)];
}
