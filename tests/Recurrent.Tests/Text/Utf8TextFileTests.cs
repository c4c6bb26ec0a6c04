using Recurrent.Tests.Support;
using System.Text;
using Recurrent.Data;

namespace Recurrent.Tests.Text;

public class Utf8TextFileTests
{
    private static string Write(TempDirectory dir, byte[] bytes, string name = "input.txt")
    {
        string path = dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void ReadsUtf8AndDropsTheByteOrderMark()
    {
        using var dir = new TempDirectory();
        const string text = "naïve 漢字 😀\nline two\n";
        byte[] body = Encoding.UTF8.GetBytes(text);
        Assert.Equal(text, Utf8TextFile.Read(Write(dir, body)));
        Assert.Equal(text, Utf8TextFile.Read(Write(dir, [0xEF, 0xBB, 0xBF, .. body], "bom.txt")));
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 }, "C328")]                  // lead byte without its continuation
    [InlineData(new byte[] { 0xC0, 0x80 }, "C080")]                  // overlong encoding of NUL
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, "EDA080")]          // an encoded UTF-16 surrogate
    [InlineData(new byte[] { 0xE9 }, "E9")]                          // Latin-1 'é'
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98 }, "F09F98")]          // truncated at the end of the file
    public void InvalidUtf8NamesFileOffsetAndLine(byte[] bad, string hex)
    {
        using var dir = new TempDirectory();
        byte[] prefix = Encoding.UTF8.GetBytes("first line\nsé");  // 'é' is 2 bytes: the bad bytes start at offset 14
        string path = Write(dir, [.. prefix, .. bad]);
        var e = Assert.Throws<RecurrentException>(() => Utf8TextFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not valid UTF-8", e.Message);
        Assert.Contains("byte offset 14", e.Message);
        Assert.Contains("line 2", e.Message);
        Assert.Contains(hex, e.Message);
    }

    [Fact]
    public void EmptyFileIsAnError()
    {
        using var dir = new TempDirectory();
        string empty = Write(dir, []);
        var e = Assert.Throws<RecurrentException>(() => Utf8TextFile.Read(empty));
        Assert.Contains("empty", e.Message);
        Assert.Contains(empty, e.Message);
        // A byte-order mark alone is still empty.
        Assert.Contains("empty", Assert.Throws<RecurrentException>(() => Utf8TextFile.Read(Write(dir, [0xEF, 0xBB, 0xBF], "bom.txt"))).Message);
    }

    [Fact]
    public void BinaryFilesAreRefused()
    {
        using var dir = new TempDirectory();
        // A NUL byte: binary data or UTF-16.
        string utf16 = Write(dir, Encoding.Unicode.GetBytes("hello"), "utf16.txt");
        var e = Assert.Throws<RecurrentException>(() => Utf8TextFile.Read(utf16));
        Assert.Contains("NUL byte at offset 1", e.Message);
        Assert.Contains("binary", e.Message);
        // Valid UTF-8 but mostly control characters.
        var bytes = new byte[1000];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i % 3 == 0 ? 'a' : 1 + i % 8);
        e = Assert.Throws<RecurrentException>(() => Utf8TextFile.Read(Write(dir, bytes, "controls.bin")));
        Assert.Contains("control characters", e.Message);
        // Whitespace controls are text.
        Assert.Equal("a\tb\r\n\fc", Utf8TextFile.Read(Write(dir, Encoding.UTF8.GetBytes("a\tb\r\n\fc"), "ws.txt")));
    }

    [Fact]
    public void MissingFileIsAnError()
    {
        var e = Assert.Throws<RecurrentException>(() => Utf8TextFile.Read("/nonexistent/recurrent/text.txt"));
        Assert.Contains("does not exist", e.Message);
    }
}
