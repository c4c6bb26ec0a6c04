using Recurrent.Tests.Support;
using System.CommandLine;
using System.Formats.Tar;
using System.IO.Compression;
using Recurrent.Cli.Commands;

namespace Recurrent.Tests.Cli;

public class DataCommandTests
{
    private static int Run(params string[] args) =>
        CommandTree.Create().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = TextWriter.Null, Error = TextWriter.Null });

    [Fact]
    public void GetPtbFromAnArchiveWithWrongFilesFailsAndLeavesTheCacheEmpty()
    {
        using var dir = new TempDirectory();
        string archive = dir.File("simple-examples.tgz");
        using (var file = File.Create(archive))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip))
        {
            foreach (string split in (string[])["train", "valid", "test"])
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"simple-examples/data/ptb.{split}.txt") { DataStream = new MemoryStream(" not ptb \n"u8.ToArray()) });
        }
        string cache = Path.Combine(dir.Path, "cache");

        var e = Assert.Throws<RecurrentException>(() => Run("data", "get", "ptb", "--from", archive, "--cache", cache));
        Assert.Contains("SHA-256", e.Message);
        Assert.Contains("ptb.train.txt", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(cache));
    }

    [Fact]
    public void GetImdbChecksTheWholeFileAndLeavesTheCacheEmpty()
    {
        using var dir = new TempDirectory();
        string copy = dir.File("aclImdb_v1_labeled.tar.gz");
        File.WriteAllBytes(copy, "not Stanford's archive"u8.ToArray());
        string cache = Path.Combine(dir.Path, "cache");

        var e = Assert.Throws<RecurrentException>(() => Run("data", "get", "imdb", "--from", copy, "--cache", cache));
        Assert.Contains("aclImdb_v1.tar.gz", e.Message);
        Assert.Contains("SHA-256", e.Message);
        Assert.Contains("--data", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(cache));
    }

    [Fact]
    public void UnknownDatasetAndConflictingOptions()
    {
        using var dir = new TempDirectory();
        Assert.Contains("Unknown dataset", Assert.Throws<RecurrentException>(() => Run("data", "get", "mnist", "--cache", dir.Path)).Message);
        Assert.Contains("not both", Assert.Throws<RecurrentException>(() => Run("data", "get", "ptb", "--cache", dir.Path, "--url", "http://x/y.tgz", "--from", "a.tgz")).Message);
        Assert.Contains("--url", Assert.Throws<RecurrentException>(() => Run("data", "get", "ptb", "--cache", dir.Path, "--url", "ftp://x/y.tgz")).Message);
    }
}
