using Recurrent.Tests.Support;
using Recurrent.Training;

namespace Recurrent.Tests.Training;

public class AtomicFileTests
{
    [Fact]
    public void WritesReplaceTheFileAndLeaveNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "sub", "run.json");
        AtomicFile.WriteAllText(path, "first ü");
        Assert.Equal("first ü", File.ReadAllText(path));
        Assert.Equal([(byte)'f'], File.ReadAllBytes(path)[..1]); // no byte-order mark
        AtomicFile.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        AtomicFile.Write(path, stream =>
        {
            stream.Write("abcdef"u8);
            stream.Position = 1;
            stream.Write("X"u8);
        });
        Assert.Equal("aXcdef", File.ReadAllText(path));
        Assert.Equal(["run.json"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailingWriterLeavesThePreviousFileAndNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("metrics.jsonl");
        AtomicFile.WriteAllText(path, "previous");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]);
            throw new InvalidOperationException("a bug half-way");
        }));
        Assert.Equal("previous", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));

        // An I/O error becomes a user-facing error that names the file.
        var e = Assert.Throws<RecurrentException>(() => AtomicFile.Write(path, _ => throw new IOException("No space left on device")));
        Assert.Contains(path, e.Message);
        Assert.Contains("No space left on device", e.Message);
        Assert.Contains("unchanged", e.Message);
        Assert.Equal("previous", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AFolderThatCannotBeCreatedIsAClearError()
    {
        using var dir = new TempDirectory();
        string file = dir.File("plain-file");
        File.WriteAllText(file, "x");
        // A path under a regular file cannot be created, even by root.
        string path = Path.Combine(file, "run", "last.ckpt");
        var e = Assert.Throws<RecurrentException>(() => AtomicFile.WriteAllText(path, "data"));
        Assert.Contains(path, e.Message);
        Assert.Contains("nothing was written", e.Message);
    }

    [LinuxFact]
    public void TheFolderIsFlushedOnLinux()
    {
        using var dir = new TempDirectory();
        Assert.True(AtomicFile.FlushDirectory(dir.Path)); // libc's open and fsync are found and succeed
        Assert.False(AtomicFile.FlushDirectory(Path.Combine(dir.Path, "missing")));
    }
}
