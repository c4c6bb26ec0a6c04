using Recurrent.Tests.Support;
using Recurrent.Data.Datasets;

namespace Recurrent.Tests.Data.Datasets;

public class DatasetLocatorTests
{
    private static void Touch(string dir, params string[] names)
    {
        foreach (string n in names) File.WriteAllText(Path.Combine(dir, n), " x \n");
    }

    [Fact]
    public void MissingDatasetSaysHowToGetIt()
    {
        using var cache = new TempDirectory();
        var e = Assert.Throws<RecurrentException>(() => DatasetLocator.Resolve(KnownDatasets.Ptb, null, cache.Path));
        Assert.Contains("recurrent data get ptb", e.Message);
        Assert.Contains("--data DIR", e.Message);
        Assert.Contains("ptb.train.txt", e.Message);
        Assert.Contains(Path.Combine(cache.Path, "ptb"), e.Message);
    }

    [Fact]
    public void FindsTheCacheCopy()
    {
        using var cache = new TempDirectory();
        string dir = Directory.CreateDirectory(Path.Combine(cache.Path, "ptb")).FullName;
        Touch(dir, "ptb.train.txt", "ptb.valid.txt");
        Assert.Throws<RecurrentException>(() => DatasetLocator.Resolve(KnownDatasets.Ptb, null, cache.Path));
        Touch(dir, "ptb.test.txt");
        Assert.Equal(dir, DatasetLocator.Resolve(KnownDatasets.Ptb, null, cache.Path));
    }

    [Fact]
    public void DataDirectoryWinsAndAcceptsPlainNames()
    {
        using var cache = new TempDirectory();
        using var data = new TempDirectory();
        Touch(data.Path, "train.txt", "valid.txt", "test.txt");
        Assert.Equal(data.Path, DatasetLocator.Resolve(KnownDatasets.Ptb, data.Path, cache.Path));

        using var partial = new TempDirectory();
        Touch(partial.Path, "ptb.train.txt");
        var e = Assert.Throws<RecurrentException>(() => DatasetLocator.Resolve(KnownDatasets.Ptb, partial.Path, cache.Path));
        Assert.Contains("lacks ptb.valid.txt, ptb.test.txt", e.Message);
        Assert.Contains(partial.Path, e.Message);

        e = Assert.Throws<RecurrentException>(() => DatasetLocator.Resolve(KnownDatasets.Ptb, data.File("nope"), cache.Path));
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void KnownDatasetsByName()
    {
        Assert.Same(KnownDatasets.Ptb, KnownDatasets.Get("PTB"));
        Assert.Contains("ptb", Assert.Throws<RecurrentException>(() => KnownDatasets.Get("imagenet")).Message);
        Assert.Equal("simple-examples.tgz", KnownDatasets.Ptb.ArchiveFileName);
    }

    [Fact]
    public void DefaultCacheFollowsTheEnvironment()
    {
        // Read-only check of the precedence with the current environment, to avoid changing process-wide variables.
        string? explicitDir = Environment.GetEnvironmentVariable("RECURRENT_CACHE");
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string expected = !string.IsNullOrEmpty(explicitDir) ? explicitDir
            : !string.IsNullOrEmpty(xdg) ? Path.Combine(xdg, "recurrent")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "recurrent");
        Assert.Equal(expected, DatasetCache.DefaultDirectory());
    }
}
