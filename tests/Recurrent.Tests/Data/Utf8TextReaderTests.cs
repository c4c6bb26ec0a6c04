using System.Text;
using Recurrent.Data;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Data;

/// <summary>The streaming strict UTF-8 reader behind word files, and what it refuses.</summary>
public class Utf8TextReaderTests
{
    private static string ReadAll(string path, int byteBuffer, int charChunk)
    {
        var text = new StringBuilder();
        using var reader = new Utf8TextReader(path, byteBuffer);
        var chunk = new char[charChunk];
        int n;
        while ((n = reader.Read(chunk)) > 0) text.Append(chunk, 0, n);
        return text.ToString();
    }

    [Theory]
    [InlineData(8, 2)]
    [InlineData(9, 3)]
    [InlineData(11, 7)]
    [InlineData(65536, 4096)]
    public void SequencesCutByEitherBufferDecodeWhole(int byteBuffer, int charChunk)
    {
        using var dir = new TempDirectory();
        var random = new Random(byteBuffer * 31 + charChunk);
        string[] pieces = ["a", "é", "日本", "😀", "\r\n", " ", "\u00a0", "𝄞x", "\t"];
        for (int trial = 0; trial < 30; trial++)
        {
            var sb = new StringBuilder(trial % 3 == 0 ? "\uFEFF" : "");
            for (int i = random.Next(80); i > 0; i--) sb.Append(pieces[random.Next(pieces.Length)]);
            string path = dir.File($"t{trial}.txt");
            File.WriteAllText(path, sb.ToString(), new UTF8Encoding(false));
            Assert.Equal(sb.ToString().TrimStart('\uFEFF'), ReadAll(path, byteBuffer, charChunk));
        }
    }

    [Fact]
    public void InvalidUtf8IsRefusedWithItsOffsetAndLine()
    {
        using var dir = new TempDirectory();
        string path = dir.File("latin1.txt");
        // "one two\nnaïve" in Latin-1: the ï is the single byte 0xEF followed by 'v', not a UTF-8 sequence.
        File.WriteAllBytes(path, [.. "one two\nna"u8, 0xEF, .. "ve\n"u8]);
        var e = Assert.Throws<RecurrentException>(() => ReadAll(path, 8, 4));
        Assert.Contains($"The file '{path}' is not valid UTF-8: byte offset 10 (line 2)", e.Message);
        Assert.Contains("iconv", e.Message);
    }

    [Fact]
    public void NulAndControlCharactersAreRefusedAsBinary()
    {
        using var dir = new TempDirectory();
        string utf16 = dir.File("utf16.txt");
        File.WriteAllText(utf16, "words in utf-16\n", Encoding.Unicode);
        Assert.Contains("UTF-16 byte-order mark (FFFE)", Assert.Throws<RecurrentException>(() => ReadAll(utf16, 64, 16)).Message);
        string nul = dir.File("utf16-no-mark.txt");
        File.WriteAllText(nul, "words in utf-16\n", new UnicodeEncoding(bigEndian: false, byteOrderMark: false));
        Assert.Contains("NUL byte at offset 1 (line 1)", Assert.Throws<RecurrentException>(() => ReadAll(nul, 64, 16)).Message);

        string controls = dir.File("controls.bin");
        File.WriteAllBytes(controls, Enumerable.Range(0, 400).Select(i => (byte)(i % 3 == 0 ? 0x01 : 'a' + i % 26)).ToArray());
        Assert.Contains("% control characters", Assert.Throws<RecurrentException>(() => ReadAll(controls, 64, 16)).Message);
    }

    /// <summary>The case: random bytes given as a word corpus were read as a 117-word vocabulary.</summary>
    [Fact]
    public void ABinaryFileIsNotAWordCorpus()
    {
        using var dir = new TempDirectory();
        var random = new Random(117);
        foreach (int seed in Enumerable.Range(0, 20))
        {
            var bytes = new byte[4096];
            new Random(seed).NextBytes(bytes);
            string data = dir.File($"data{seed}");
            Directory.CreateDirectory(data);
            foreach (string split in (string[])["train", "valid", "test"]) File.WriteAllBytes(Path.Combine(data, $"ptb.{split}.txt"), bytes);
            var e = Assert.Throws<RecurrentException>(() => WordCorpus.Load(data));
            Assert.Contains(Path.Combine(data, "ptb.train.txt"), e.Message);
            Assert.True(e.Message.Contains("not valid UTF-8") || e.Message.Contains("NUL byte") || e.Message.Contains("control characters") || e.Message.Contains("UTF-16"), e.Message);
        }
    }
}
