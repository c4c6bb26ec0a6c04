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

    private static byte[] Archive(IEnumerable<(string Path, byte[] Bytes)> files, string prefix = "")
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, prefix + "aclImdb/"));
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, prefix + "aclImdb/train/"));
            foreach (var (path, bytes) in files)
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, prefix + path) { DataStream = new MemoryStream(bytes) });
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
}
