using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Recurrent.Data.Classification;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Data.Classification;

public class ImdbReaderTests
{
    /// <summary>Files laid out as in aclImdb_v1.tar.gz, reviews and the files the reader must skip, in no particular order.</summary>
    private static readonly (string Path, string Text)[] Files =
    [
        ("aclImdb/README", "Large Movie Review Dataset v1.0"),
        ("aclImdb/train/pos/1_8.txt", "Loved it :-) <br /><br />Really."),
        ("aclImdb/train/unsup/0_0.txt", "unlabelled, must be skipped"),
        ("aclImdb/test/neg/1_1.txt", "Dull."),
        ("aclImdb/train/neg/10_2.txt", "Bad acting."),
        ("aclImdb/imdb.vocab", "the\nand\n"),
        ("aclImdb/train/pos/0_9.txt", "Bromwell High is a cartoon comedy."),
        ("aclImdb/train/labeledBow.feat", "0 9:1\n"),
        ("aclImdb/test/pos/0_10.txt", "Great fun, “naïve” and warm."),
        ("aclImdb/train/urls_pos.txt", "http://www.imdb.com/title/tt0453418/usercomments\n"),
        ("aclImdb/train/neg/0_3.txt", "Story of a man who has unnatural feelings."),
        ("aclImdb/test/neg/0_2.txt", "Not good."),
    ];

    private static byte[] Archive(IEnumerable<(string Path, byte[] Bytes)> files, string prefix = "", TarEntryFormat format = TarEntryFormat.Pax)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, format))
        {
            TarEntry Entry(TarEntryType type, string name) =>
                format == TarEntryFormat.Pax ? new PaxTarEntry(type, name) : new UstarTarEntry(type, name);
            tar.WriteEntry(Entry(TarEntryType.Directory, prefix + "aclImdb/"));
            tar.WriteEntry(Entry(TarEntryType.Directory, prefix + "aclImdb/train/"));
            foreach (var (path, bytes) in files)
            {
                TarEntry entry = Entry(TarEntryType.RegularFile, prefix + path);
                entry.DataStream = new MemoryStream(bytes);
                tar.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }

    private static IEnumerable<(string Path, byte[] Bytes)> Utf8(IEnumerable<(string Path, string Text)> files) =>
        files.Select(f => (f.Path, Encoding.UTF8.GetBytes(f.Text)));

    private static void AssertTheReviews(ClassificationData data)
    {
        // Sorted by path inside aclImdb: neg before pos, names in ordinal order; unsup and the other files skipped.
        Assert.Equal(["Story of a man who has unnatural feelings.", "Bad acting.", "Bromwell High is a cartoon comedy.", "Loved it :-) <br /><br />Really."],
            data.Train.Select(e => e.Text));
        Assert.Equal(["neg", "neg", "pos", "pos"], data.Train.Select(e => e.Label));
        Assert.Equal(["Not good.", "Dull.", "Great fun, “naïve” and warm."], data.Test!.Select(e => e.Text));
        Assert.Equal(["neg", "neg", "pos"], data.Test!.Select(e => e.Label));
        Assert.Equal(["neg", "pos"], data.Labels);
        Assert.Equal([0, 0, 1, 1], data.TrainLabels);
    }

    [Theory]
    [InlineData("")]
    [InlineData("./")]
    public void ReadsTheArchiveWithoutExtracting(string prefix)
    {
        using var dir = new TempDirectory();
        string path = dir.File("aclImdb_v1.tar.gz");
        File.WriteAllBytes(path, Archive(Utf8(Files), prefix));
        Assert.Equal(ClassificationFormat.Imdb, ClassificationDataReader.DetectFormat(path));
        ClassificationData data = ClassificationDataReader.Read(path);
        AssertTheReviews(data);
        Assert.Equal($"{path}:aclImdb/train/neg/0_3.txt", data.Train[0].Source);
        Assert.Single(Directory.GetFileSystemEntries(dir.Path)); // nothing extracted
    }

    [Fact]
    public void ReadsTheExtractedFolderInTheSameOrder()
    {
        using var dir = new TempDirectory();
        foreach (var (path, text) in Files)
        {
            string file = Path.Combine(dir.Path, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, text);
        }
        string archive = dir.File("aclImdb_v1.tar.gz");
        File.WriteAllBytes(archive, Archive(Utf8(Files)));
        ClassificationData fromArchive = ClassificationDataReader.Read(archive);

        // The folder that holds aclImdb, and aclImdb itself.
        foreach (string folder in new[] { dir.Path, Path.Combine(dir.Path, "aclImdb") })
        {
            Assert.Equal(ClassificationFormat.Imdb, ClassificationDataReader.DetectFormat(folder));
            ClassificationData data = ClassificationDataReader.Read(folder);
            AssertTheReviews(data);
            Assert.Equal(fromArchive.Train.Select(e => (e.Text, e.Label)), data.Train.Select(e => (e.Text, e.Label)));
            Assert.Equal(Path.Combine(dir.Path, "aclImdb", "train", "neg", "0_3.txt"), data.Train[0].Source);
        }

        // Without a test split.
        Directory.Delete(Path.Combine(dir.Path, "aclImdb", "test"), recursive: true);
        Assert.Null(ClassificationDataReader.Read(dir.Path).Test);
        Directory.Delete(Path.Combine(dir.Path, "aclImdb", "train", "pos"), recursive: true);
        var e = Assert.Throws<RecurrentException>(() => ClassificationDataReader.Read(dir.Path));
        Assert.Contains("lacks train/pos/", e.Message);
    }

    [Fact]
    public void BadArchives()
    {
        using var dir = new TempDirectory();
        string other = dir.File("other.tar.gz");
        File.WriteAllBytes(other, Archive([("data/pos/1.txt", "x"u8.ToArray())]));
        var e = Assert.Throws<RecurrentException>(() => ClassificationDataReader.Read(other));
        Assert.Contains(other, e.Message);
        Assert.Contains("holds no aclImdb/", e.Message);

        string notGzip = dir.File("broken.tar.gz");
        File.WriteAllText(notGzip, "<html>not found</html>");
        e = Assert.Throws<RecurrentException>(() => ClassificationDataReader.Read(notGzip));
        Assert.Contains("not a readable .tar.gz", e.Message);

        // A review that is not UTF-8, and an empty one: both named by archive and member.
        string latin1 = dir.File("latin1.tar.gz");
        File.WriteAllBytes(latin1, Archive([.. Utf8(Files.Take(3)), ("aclImdb/train/neg/5_1.txt", [0x6E, 0x61, 0xEF, 0x76, 0x65])]));
        e = Assert.Throws<RecurrentException>(() => ClassificationDataReader.Read(latin1));
        Assert.Contains($"{latin1}:aclImdb/train/neg/5_1.txt", e.Message);
        Assert.Contains("not valid UTF-8", e.Message);

        string empty = dir.File("empty.tar.gz");
        File.WriteAllBytes(empty, Archive([.. Utf8(Files), ("aclImdb/test/pos/7_7.txt", [])]));
        e = Assert.Throws<RecurrentException>(() => ClassificationDataReader.Read(empty));
        Assert.Contains($"{empty}:aclImdb/test/pos/7_7.txt: the text is empty", e.Message);
    }

    private static byte[] Gunzip(byte[] gz)
    {
        using var input = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var z = new GZipStream(output, CompressionLevel.Fastest)) z.Write(bytes);
        return output.ToArray();
    }

    /// <summary>Offset of the header of the entry named <paramref name="name"/> in an uncompressed tar.</summary>
    private static int HeaderOf(byte[] tar, string name)
    {
        byte[] field = [.. Encoding.ASCII.GetBytes(name), 0];
        for (int at = 0; at + 512 <= tar.Length; at += 512)
            if (tar.AsSpan(at, field.Length).SequenceEqual(field)) return at;
        throw new InvalidOperationException(name);
    }

    private static void SetChecksum(byte[] tar, int header)
    {
        int sum = 0;
        for (int i = 0; i < 512; i++) sum += i is >= 148 and < 156 ? ' ' : tar[header + i];
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(tar, header + 148);
    }

    private static RecurrentException Refused(byte[] archive, out long allocated)
    {
        using var dir = new TempDirectory();
        string path = dir.File("aclImdb_v1.tar.gz");
        File.WriteAllBytes(path, archive);
        Assert.Throws<RecurrentException>(() => ClassificationDataReader.Read(path)); // warm-up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<RecurrentException>(() => ClassificationDataReader.Read(path));
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains(path, e.Message);
        return e;
    }

    /// <summary>Found by the fuzz tests: the reader stopped at the tar's end blocks, so damage after them went unseen.</summary>
    [Fact]
    public void TheWholeGzipMemberIsChecked()
    {
        byte[] valid = Archive(Utf8(Files), "", TarEntryFormat.Ustar);
        byte[] crc = (byte[])valid.Clone();
        crc[^8] ^= 1;
        Assert.Contains("not a readable .tar.gz", Refused(crc, out _).Message);
        byte[] length = (byte[])valid.Clone();
        length[^4] ^= 1;
        Assert.Contains("not a readable .tar.gz", Refused(length, out _).Message);
        Assert.Contains("its gzip trailer records", Refused([.. valid, 0, 0, 0, 0], out _).Message);
        // GZipStream reads a member without its trailer as if it ended there.
        Assert.Contains("its gzip trailer records", Refused(valid[..^8], out _).Message);
        // A tar cut between two entries, compressed whole, is a complete archive of fewer reviews (as tar reads it).
        byte[] tar = Gunzip(valid);
        using var dir = new TempDirectory();
        string cut = dir.File("cut.tar.gz");
        File.WriteAllBytes(cut, Gzip(tar[..HeaderOf(tar, "aclImdb/train/neg/0_3.txt")]));
        Assert.Equal(3, ClassificationDataReader.Read(cut).Train.Count);
    }

    /// <summary>Found by the fuzz tests: .NET's TarReader checks no header checksum, so a damaged name or size was read as it came.</summary>
    [Fact]
    public void HeaderChecksumsAreChecked()
    {
        byte[] tar = Gunzip(Archive(Utf8(Files), "", TarEntryFormat.Ustar));
        tar[HeaderOf(tar, "aclImdb/train/neg/0_3.txt") + 14] = (byte)'p'; // train/neg → train/peg, checksum left as it was
        RecurrentException e = Refused(Gzip(tar), out _);
        Assert.Contains("fails its checksum", e.Message);
    }

    /// <summary>
    /// Found by the fuzz tests: a PAX header whose size field claims 67 MB made TarReader allocate 134 MB for an
    /// 886-byte file; a review declaring 2 GB was given a 2 GB buffer before its data was read.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DeclaredSizesAreNotAllocated(bool pax)
    {
        byte[] tar = Gunzip(Archive(Utf8(Files), "", pax ? TarEntryFormat.Pax : TarEntryFormat.Ustar));
        int header = pax ? 0 : HeaderOf(tar, "aclImdb/train/pos/1_8.txt");
        Assert.Equal(pax ? (byte)'x' : (byte)'0', tar[header + 156]);
        Encoding.ASCII.GetBytes(pax ? "00400000063\0" : "07777777777\0").CopyTo(tar, header + 124);
        SetChecksum(tar, header);
        RecurrentException e = Refused(Gzip(tar), out long allocated);
        Assert.True(allocated < 1 << 20, $"{allocated:N0} bytes allocated");
        Assert.Contains(pax ? "a PAX header of 67,108,915 bytes" : "the archive ends inside the data of 'aclImdb/train/pos/1_8.txt'", e.Message);
    }

    /// <summary>A member stored twice: the later one replaces the earlier, as extracting the archive would.</summary>
    [Fact]
    public void ALaterMemberReplacesAnEarlierOne()
    {
        using var dir = new TempDirectory();
        string path = dir.File("aclImdb_v1.tar.gz");
        File.WriteAllBytes(path, Archive([.. Utf8(Files), ("aclImdb/train/pos/0_9.txt", "Replaced."u8.ToArray())]));
        ClassificationData data = ClassificationDataReader.Read(path);
        Assert.Equal(4, data.Train.Count);
        Assert.Equal("Replaced.", data.Train.Single(e => e.Source.EndsWith("0_9.txt", StringComparison.Ordinal)).Text);
    }
}
