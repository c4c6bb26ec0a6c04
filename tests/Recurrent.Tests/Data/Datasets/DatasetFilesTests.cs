using System.Security.Cryptography;
using System.Text;
using Recurrent.Data.Datasets;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Data.Datasets;

/// <summary>Datasets kept as downloaded: one file (IMDb's archive) or several, each with its own URL and SHA-256.</summary>
public class DatasetFilesTests
{
    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static readonly byte[] Archive = Encoding.UTF8.GetBytes("pretend this is aclImdb_v1.tar.gz");
    private static readonly byte[] Train = Encoding.UTF8.GetBytes("Confidence NN B-NP\n");
    private static readonly byte[] Test = Encoding.UTF8.GetBytes("Rockwell NNP B-NP\n");

    private static DatasetDescriptor Single(Uri url, byte[] expected) =>
        new("imdb", [new DatasetFile(url, "aclImdb_v1.tar.gz", Sha256(expected))]);

    private static DatasetDescriptor Pair(Uri trainUrl, Uri testUrl) =>
        new("conll2000", [new DatasetFile(trainUrl, "train.txt.gz", Sha256(Train)), new DatasetFile(testUrl, "test.txt.gz", Sha256(Test))]);

    private static void AssertCacheHolds(string cache, string name, params (string File, byte[] Bytes)[] files)
    {
        foreach (var (file, bytes) in files)
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(cache, name, file)));
        Assert.Equal([Path.Combine(cache, name)], Directory.GetFileSystemEntries(cache));
        Assert.Equal(files.Length, Directory.GetFiles(Path.Combine(cache, name)).Length);
    }

    [Fact]
    public async Task SingleFileIsKeptAsDownloaded()
    {
        using var server = new LoopbackHttpServer();
        using var cache = new TempDirectory();
        DatasetDescriptor dataset = Single(server.Serve("/sentiment/aclImdb_v1.tar.gz", Archive), Archive);
        Assert.False(dataset.IsArchive);

        DatasetGetResult result = await DatasetDownloader.GetAsync(dataset, new DatasetGetOptions { CacheDirectory = cache.Path });
        Assert.False(result.AlreadyPresent);
        Assert.True(result.ArchiveChecksumVerified);
        Assert.Equal(Sha256(Archive), result.ArchiveSha256);
        AssertCacheHolds(cache.Path, "imdb", ("aclImdb_v1.tar.gz", Archive));

        // The locator finds the file in the cache; a --data path wins and is returned as given.
        string cached = Path.Combine(cache.Path, "imdb", "aclImdb_v1.tar.gz");
        Assert.Equal(cached, DatasetLocator.ResolvePath(dataset, null, cache.Path));
        Assert.Equal(cache.Path, DatasetLocator.ResolvePath(dataset, cache.Path, cache.Path));
        Assert.Contains("does not exist", Assert.Throws<RecurrentException>(() => DatasetLocator.ResolvePath(dataset, cache.File("nope.tar.gz"), cache.Path)).Message);

        var again = await DatasetDownloader.GetAsync(dataset, new DatasetGetOptions { CacheDirectory = cache.Path });
        Assert.True(again.AlreadyPresent);
        Assert.Equal(1, server.Requests);

        // A damaged copy is fetched again.
        File.WriteAllText(cached, "damaged");
        Assert.False((await DatasetDownloader.GetAsync(dataset, new DatasetGetOptions { CacheDirectory = cache.Path })).AlreadyPresent);
        AssertCacheHolds(cache.Path, "imdb", ("aclImdb_v1.tar.gz", Archive));
    }

    [Fact]
    public async Task WrongFileLeavesThePreviousCopy()
    {
        using var server = new LoopbackHttpServer();
        using var cache = new TempDirectory();
        Uri url = server.Serve("/aclImdb_v1.tar.gz", Archive);
        await DatasetDownloader.GetAsync(Single(url, Archive), new DatasetGetOptions { CacheDirectory = cache.Path });

        server.Serve("/aclImdb_v1.tar.gz", Encoding.UTF8.GetBytes("a different file"));
        var e = await Assert.ThrowsAsync<RecurrentException>(() =>
            DatasetDownloader.GetAsync(Single(url, Archive), new DatasetGetOptions { CacheDirectory = cache.Path, Force = true }));
        Assert.Contains("aclImdb_v1.tar.gz", e.Message);
        Assert.Contains(url.ToString(), e.Message);
        Assert.Contains(Sha256(Archive), e.Message);
        Assert.Contains("--data", e.Message);
        AssertCacheHolds(cache.Path, "imdb", ("aclImdb_v1.tar.gz", Archive));

        // From a mirror the file must still match: it is kept as it is.
        Uri mirror = server.Serve("/mirror/aclImdb_v1.tar.gz", Encoding.UTF8.GetBytes("repacked"));
        e = await Assert.ThrowsAsync<RecurrentException>(() =>
            DatasetDownloader.GetAsync(Single(url, Archive), new DatasetGetOptions { CacheDirectory = cache.Path, Url = mirror, Force = true }));
        Assert.Contains(mirror.ToString(), e.Message);
        server.Serve("/mirror/aclImdb_v1.tar.gz", Archive);
        var fromMirror = await DatasetDownloader.GetAsync(Single(url, Archive), new DatasetGetOptions { CacheDirectory = cache.Path, Url = mirror, Force = true });
        Assert.Equal(mirror.ToString(), fromMirror.Source);
        AssertCacheHolds(cache.Path, "imdb", ("aclImdb_v1.tar.gz", Archive));
    }

    [Fact]
    public async Task SingleFileFromALocalCopy()
    {
        using var cache = new TempDirectory();
        using var downloads = new TempDirectory();
        string file = downloads.File("my-copy.tar.gz");
        File.WriteAllBytes(file, Archive);
        var nowhere = new Uri("http://127.0.0.1:9/never-contacted.tar.gz");

        var result = await DatasetDownloader.GetAsync(Single(nowhere, Archive), new DatasetGetOptions { CacheDirectory = cache.Path, FromFile = file });
        Assert.Equal(Path.GetFullPath(file), result.Source);
        AssertCacheHolds(cache.Path, "imdb", ("aclImdb_v1.tar.gz", Archive));
        Assert.True(File.Exists(file), "--from must not consume the user's file");

        File.WriteAllText(file, "not it");
        var e = await Assert.ThrowsAsync<RecurrentException>(() =>
            DatasetDownloader.GetAsync(Single(nowhere, Archive), new DatasetGetOptions { CacheDirectory = cache.Path, FromFile = file, Force = true }));
        Assert.Contains(Path.GetFullPath(file), e.Message);
        AssertCacheHolds(cache.Path, "imdb", ("aclImdb_v1.tar.gz", Archive));
    }

    [Fact]
    public async Task SeveralFilesEachFromItsUrl()
    {
        using var server = new LoopbackHttpServer();
        using var cache = new TempDirectory();
        DatasetDescriptor dataset = Pair(server.Serve("/conll/train.txt.gz", Train), server.Serve("/other/test.txt.gz", Test));

        DatasetGetResult result = await DatasetDownloader.GetAsync(dataset, new DatasetGetOptions { CacheDirectory = cache.Path });
        Assert.True(result.ArchiveChecksumVerified);
        Assert.Null(result.ArchiveSha256);
        Assert.Equal(2, server.Requests);
        AssertCacheHolds(cache.Path, "conll2000", ("train.txt.gz", Train), ("test.txt.gz", Test));
        Assert.Equal(Path.Combine(cache.Path, "conll2000"), DatasetLocator.Resolve(dataset, null, cache.Path));
        Assert.True((await DatasetDownloader.GetAsync(dataset, new DatasetGetOptions { CacheDirectory = cache.Path })).AlreadyPresent);

        // One bad file: neither is moved into a fresh cache.
        using var fresh = new TempDirectory();
        DatasetDescriptor bad = Pair(server.Serve("/conll/train.txt.gz", Train), server.Serve("/other/test.txt.gz", Train));
        var e = await Assert.ThrowsAsync<RecurrentException>(() => DatasetDownloader.GetAsync(bad, new DatasetGetOptions { CacheDirectory = fresh.Path }));
        Assert.Contains("test.txt.gz", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(fresh.Path));

        // A missing file is a download error naming its URL.
        DatasetDescriptor missing = Pair(server.Serve("/conll/train.txt.gz", Train), new Uri($"http://127.0.0.1:{server.Port}/gone/test.txt.gz"));
        e = await Assert.ThrowsAsync<RecurrentException>(() => DatasetDownloader.GetAsync(missing, new DatasetGetOptions { CacheDirectory = fresh.Path }));
        Assert.Contains("404", e.Message);
        Assert.Contains("/gone/test.txt.gz", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(fresh.Path));
    }

    [Fact]
    public async Task SeveralFilesFromAFolderButNotFromOneUrl()
    {
        using var cache = new TempDirectory();
        using var downloads = new TempDirectory();
        var nowhere = new Uri("http://127.0.0.1:9/never.gz");
        DatasetDescriptor dataset = Pair(nowhere, nowhere);

        var e = await Assert.ThrowsAsync<RecurrentException>(() =>
            DatasetDownloader.GetAsync(dataset, new DatasetGetOptions { CacheDirectory = cache.Path, Url = nowhere }));
        Assert.Contains("--url", e.Message);
        Assert.Contains("--from DIR", e.Message);

        File.WriteAllBytes(downloads.File("train.txt.gz"), Train);
        e = await Assert.ThrowsAsync<RecurrentException>(() =>
            DatasetDownloader.GetAsync(dataset, new DatasetGetOptions { CacheDirectory = cache.Path, FromFile = downloads.File("train.txt.gz") }));
        Assert.Contains("the folder that holds them", e.Message);
        e = await Assert.ThrowsAsync<RecurrentException>(() =>
            DatasetDownloader.GetAsync(dataset, new DatasetGetOptions { CacheDirectory = cache.Path, FromFile = downloads.Path }));
        Assert.Contains("lacks test.txt.gz", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(cache.Path));

        File.WriteAllBytes(downloads.File("test.txt.gz"), Test);
        await DatasetDownloader.GetAsync(dataset, new DatasetGetOptions { CacheDirectory = cache.Path, FromFile = downloads.Path });
        AssertCacheHolds(cache.Path, "conll2000", ("train.txt.gz", Train), ("test.txt.gz", Test));
    }

    [Fact]
    public void KnownImdb()
    {
        DatasetDescriptor imdb = KnownDatasets.Get("IMDB");
        Assert.Same(KnownDatasets.Imdb, imdb);
        Assert.False(imdb.IsArchive);
        DatasetFile file = Assert.Single(imdb.Files);
        Assert.Equal("http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz", file.Url.ToString());
        Assert.Equal("aclImdb_v1.tar.gz", file.FileName);
        Assert.Matches("^[0-9a-f]{64}$", file.Sha256);
        Assert.True(KnownDatasets.Ptb.IsArchive);
        Assert.Equal(3, KnownDatasets.Ptb.ExpectedFiles.Count);

        using var cache = new TempDirectory();
        var e = Assert.Throws<RecurrentException>(() => DatasetLocator.ResolvePath(imdb, null, cache.Path));
        Assert.Contains("recurrent data get imdb", e.Message);
        Assert.Contains("--data PATH", e.Message);

        Assert.Throws<ArgumentException>(() => new DatasetDescriptor("x", []));
        Assert.Throws<ArgumentException>(() => new DatasetDescriptor("x", [new DatasetFile(new Uri("http://a/b"), "f", ""), new DatasetFile(new Uri("http://a/c"), "f", "")]));
    }
}
