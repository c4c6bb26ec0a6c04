using Recurrent.Tests.Support;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Recurrent.Data;
using Recurrent.Data.Datasets;

namespace Recurrent.Tests.Data.Datasets;

public class DatasetDownloaderTests
{
    private static readonly Dictionary<string, string> Texts = new()
    {
        ["ptb.train.txt"] = " the cat sat \n on the mat \n",
        ["ptb.valid.txt"] = " the mat \n",
        ["ptb.test.txt"] = " on the cat \n",
    };

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>A .tgz laid out like simple-examples.tgz, with an extra file and a folder entry.</summary>
    private static byte[] BuildArchive(IReadOnlyDictionary<string, string> texts, string prefix = "simple-examples/data/", string? skip = null)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, prefix.TrimEnd('/')));
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, prefix + "README") { DataStream = new MemoryStream("readme"u8.ToArray()) });
            foreach (var (name, text) in texts)
            {
                if (name == skip) continue;
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, prefix + name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
            }
        }
        return output.ToArray();
    }

    private static DatasetDescriptor Descriptor(Uri url, Checksum? archive, IReadOnlyDictionary<string, string>? expected = null) =>
        new("ptb", url, archive,
            (expected ?? Texts).Select(p => new DatasetMember("simple-examples/data/" + p.Key, p.Key, Sha256(p.Value))).ToList());

    private static Checksum Sha256Of(byte[] bytes) => Checksum.Sha256(Convert.ToHexStringLower(SHA256.HashData(bytes)));

    private static void AssertCacheHolds(string cache, IReadOnlyDictionary<string, string> texts)
    {
        foreach (var (name, text) in texts)
            Assert.Equal(text, File.ReadAllText(Path.Combine(cache, "ptb", name)));
        // Nothing but the dataset folder: no partial downloads, no temporary folders.
        Assert.Equal([Path.Combine(cache, "ptb")], Directory.GetFileSystemEntries(cache));
        Assert.Equal(texts.Count, Directory.GetFiles(Path.Combine(cache, "ptb")).Length);
    }

    private sealed class Recorder : IProgress<DatasetProgress>
    {
        public List<DatasetProgress> Reports { get; } = [];
        public void Report(DatasetProgress value) => Reports.Add(value);
    }

    [Fact]
    public async Task DownloadsVerifiesAndSkipsWhenPresent()
    {
        using var server = new LoopbackHttpServer();
        using var cache = new TempDirectory();
        byte[] archive = BuildArchive(Texts);
        var dataset = Descriptor(server.Serve("/simple-examples.tgz", archive), Sha256Of(archive));
        var progress = new Recorder();

        var result = await DatasetDownloader.GetAsync(dataset, new DatasetGetOptions { CacheDirectory = cache.Path, Progress = progress });

        Assert.False(result.AlreadyPresent);
        Assert.True(result.ArchiveChecksumVerified);
        Assert.Equal(Path.Combine(cache.Path, "ptb"), result.Directory);
        AssertCacheHolds(cache.Path, Texts);
        DatasetProgress lastDownload = progress.Reports.Last(p => p.Stage == DatasetStage.Downloading);
        Assert.Equal(archive.Length, lastDownload.Bytes);
        Assert.Equal(archive.Length, lastDownload.TotalBytes);
        Assert.Contains(progress.Reports, p => p.Stage == DatasetStage.Extracting);
        Assert.Equal(1, server.Requests);

        // The files load as a corpus.
        var corpus = WordCorpus.Load(DatasetLocator.Resolve(dataset, dataDirectory: null, cache.Path));
        Assert.Equal(8, corpus.Train.Length);

        // Second time: verified files are there, nothing is fetched.
        var again = await DatasetDownloader.GetAsync(dataset, new DatasetGetOptions { CacheDirectory = cache.Path });
        Assert.True(again.AlreadyPresent);
        Assert.Equal(1, server.Requests);

        // A damaged file is noticed and fetched again.
        File.WriteAllText(Path.Combine(cache.Path, "ptb", "ptb.valid.txt"), "damaged");
        var repaired = await DatasetDownloader.GetAsync(dataset, new DatasetGetOptions { CacheDirectory = cache.Path });
        Assert.False(repaired.AlreadyPresent);
        Assert.Equal(2, server.Requests);
        AssertCacheHolds(cache.Path, Texts);
    }

    /// <summary>A zip laid out like Mahoney's text8.zip: one deflated entry, plus an extra one here.</summary>
    private static byte[] BuildZip(string text8)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (Stream s = zip.CreateEntry("README", CompressionLevel.Fastest).Open()) s.Write("readme"u8);
            using (Stream s = zip.CreateEntry("text8", CompressionLevel.Optimal).Open()) s.Write(Encoding.UTF8.GetBytes(text8));
        }
        return output.ToArray();
    }

    [Fact]
    public async Task ZipArchiveMembersAreExtractedAndChecked()
    {
        using var server = new LoopbackHttpServer();
        using var cache = new TempDirectory();
        string text = string.Concat(Enumerable.Repeat(" anarchism originated as a term of abuse", 500));
        byte[] zip = BuildZip(text);
        Uri url = server.Serve("/text8.zip", zip);
        var dataset = new DatasetDescriptor("text8", url, ArchiveChecksum: null, [new DatasetMember("text8", "text8", Sha256(text))]);

        var result = await DatasetDownloader.GetAsync(dataset, new DatasetGetOptions { CacheDirectory = cache.Path });

        Assert.False(result.AlreadyPresent);
        Assert.Equal(text, File.ReadAllText(Path.Combine(cache.Path, "text8", "text8")));
        Assert.Single(Directory.GetFiles(Path.Combine(cache.Path, "text8")));

        // A zip whose entry differs from the published text is refused, naming the entry and both hashes.
        server.Serve("/text8.zip", BuildZip(text + " changed"));
        var e = await Assert.ThrowsAsync<RecurrentException>(() =>
            DatasetDownloader.GetAsync(dataset, new DatasetGetOptions { CacheDirectory = cache.Path, Force = true }));
        Assert.Contains("'text8'", e.Message);
        Assert.Contains(Sha256(text), e.Message);
        Assert.Equal(text, File.ReadAllText(Path.Combine(cache.Path, "text8", "text8")));

        // A zip cut short is reported as an unreadable zip, not as a tar.
        server.Serve("/text8.zip", zip[..(zip.Length / 2)]);
        e = await Assert.ThrowsAsync<RecurrentException>(() =>
            DatasetDownloader.GetAsync(dataset, new DatasetGetOptions { CacheDirectory = cache.Path, Force = true }));
        Assert.Contains(".zip", e.Message);
    }

    [Fact]
    public void Text8IsKnownWithItsCanonicalUrl()
    {
        DatasetDescriptor text8 = KnownDatasets.Get("text8");
        Assert.Equal("http://mattmahoney.net/dc/text8.zip", text8.Url.ToString());
        Assert.True(text8.IsArchive);
        Assert.Equal("text8", Assert.Single(text8.Members).ArchivePath);
    }

    [Fact]
    public async Task BadArchiveChecksumLeavesThePreviousCopy()
    {
        using var server = new LoopbackHttpServer();
        using var cache = new TempDirectory();
        byte[] archive = BuildArchive(Texts);
        Uri url = server.Serve("/simple-examples.tgz", archive);
        await DatasetDownloader.GetAsync(Descriptor(url, Sha256Of(archive)), new DatasetGetOptions { CacheDirectory = cache.Path });

        // The server now has a different archive than the one whose checksum is published.
        server.Serve("/simple-examples.tgz", BuildArchive(Texts.ToDictionary(p => p.Key, p => p.Value + " changed \n")));
        var bad = Descriptor(url, Sha256Of(archive));
        var e = await Assert.ThrowsAsync<RecurrentException>(() =>
            DatasetDownloader.GetAsync(bad, new DatasetGetOptions { CacheDirectory = cache.Path, Force = true }));
        Assert.Contains("checksum", e.Message);
        Assert.Contains(url.ToString(), e.Message);
        AssertCacheHolds(cache.Path, Texts);
    }

    [Fact]
    public async Task BadMemberChecksumLeavesThePreviousCopy()
    {
        using var server = new LoopbackHttpServer();
        using var cache = new TempDirectory();
        byte[] archive = BuildArchive(Texts);
        Uri url = server.Serve("/simple-examples.tgz", archive);
        await DatasetDownloader.GetAsync(Descriptor(url, archive: null), new DatasetGetOptions { CacheDirectory = cache.Path });

        var changed = new Dictionary<string, string>(Texts) { ["ptb.test.txt"] = " on the dog \n" };
        server.Serve("/simple-examples.tgz", BuildArchive(changed));
        var e = await Assert.ThrowsAsync<RecurrentException>(() =>
            DatasetDownloader.GetAsync(Descriptor(url, archive: null), new DatasetGetOptions { CacheDirectory = cache.Path, Force = true }));
        Assert.Contains("simple-examples/data/ptb.test.txt", e.Message);
        Assert.Contains(Sha256(Texts["ptb.test.txt"]), e.Message);
        AssertCacheHolds(cache.Path, Texts);
    }

    [Fact]
    public async Task CutDownloadAndHttpErrorsAreReported()
    {
        using var server = new LoopbackHttpServer();
        using var cache = new TempDirectory();
        byte[] archive = BuildArchive(Texts);
        Uri url = server.Serve("/a.tgz", archive);
        server.TruncateBy = 100;
        var e = await Assert.ThrowsAsync<RecurrentException>(() =>
            DatasetDownloader.GetAsync(Descriptor(url, Sha256Of(archive)), new DatasetGetOptions { CacheDirectory = cache.Path }));
        Assert.Contains(url.ToString(), e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(cache.Path));

        var missing = new Uri($"http://127.0.0.1:{server.Port}/nothing.tgz");
        e = await Assert.ThrowsAsync<RecurrentException>(() =>
            DatasetDownloader.GetAsync(Descriptor(missing, null), new DatasetGetOptions { CacheDirectory = cache.Path }));
        Assert.Contains("404", e.Message);
        Assert.Contains("--from", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(cache.Path));
    }

    [Fact]
    public async Task UrlOverrideUsesTheMirror()
    {
        using var server = new LoopbackHttpServer();
        using var cache = new TempDirectory();
        byte[] archive = BuildArchive(Texts, prefix: "./simple-examples/data/");
        Uri mirror = server.Serve("/mirror/simple-examples.tgz", archive);
        // The descriptor's own URL does not exist; its published archive checksum does not apply to a mirror's repack.
        var dataset = Descriptor(new Uri($"http://127.0.0.1:{server.Port}/gone.tgz"), Checksum.Sha256(new string('0', 64)));
        var result = await DatasetDownloader.GetAsync(dataset, new DatasetGetOptions { CacheDirectory = cache.Path, Url = mirror });
        Assert.False(result.ArchiveChecksumVerified);
        Assert.Equal(mirror.ToString(), result.Source);
        AssertCacheHolds(cache.Path, Texts);
    }

    [Fact]
    public async Task FromFile()
    {
        using var cache = new TempDirectory();
        using var downloads = new TempDirectory();
        string file = downloads.File("simple-examples.tgz");
        File.WriteAllBytes(file, BuildArchive(Texts));
        var nowhere = new Uri("http://127.0.0.1:9/never-contacted.tgz");

        var result = await DatasetDownloader.GetAsync(Descriptor(nowhere, Checksum.Md5(new string('0', 32))),
            new DatasetGetOptions { CacheDirectory = cache.Path, FromFile = file });
        Assert.Equal(Path.GetFullPath(file), result.Source);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))), result.ArchiveSha256);
        AssertCacheHolds(cache.Path, Texts);
        Assert.True(File.Exists(file), "--from must not consume the user's archive");

        // An archive without one of the members.
        File.WriteAllBytes(file, BuildArchive(Texts, skip: "ptb.valid.txt"));
        var e = await Assert.ThrowsAsync<RecurrentException>(() =>
            DatasetDownloader.GetAsync(Descriptor(nowhere, null), new DatasetGetOptions { CacheDirectory = cache.Path, FromFile = file, Force = true }));
        Assert.Contains("lacks simple-examples/data/ptb.valid.txt", e.Message);
        AssertCacheHolds(cache.Path, Texts);

        // Not an archive at all.
        File.WriteAllText(file, "<html>not found</html>");
        e = await Assert.ThrowsAsync<RecurrentException>(() =>
            DatasetDownloader.GetAsync(Descriptor(nowhere, null), new DatasetGetOptions { CacheDirectory = cache.Path, FromFile = file, Force = true }));
        Assert.Contains(".tgz", e.Message);
        AssertCacheHolds(cache.Path, Texts);

        e = await Assert.ThrowsAsync<RecurrentException>(() =>
            DatasetDownloader.GetAsync(Descriptor(nowhere, null), new DatasetGetOptions { CacheDirectory = cache.Path, FromFile = downloads.File("nope.tgz"), Force = true }));
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void Md5ChecksumMatches()
    {
        // RFC 1321 test vector.
        var md5 = Checksum.Md5("900150983CD24FB0D6963F7D28E17F72");
        using var h = md5.CreateHash();
        h.AppendData("abc"u8);
        Assert.True(md5.Matches(h.GetHashAndReset()));
        Assert.Equal("md5:900150983cd24fb0d6963f7d28e17f72", md5.ToString());
    }
}
