using Recurrent.Tests.Support;
using System.Text;
using Recurrent.Data;

namespace Recurrent.Tests.Data;

public class WordFileTests
{
    /// <summary>The documented rule, written the obvious way: each line's words, then &lt;eos&gt;.</summary>
    private static List<(string Token, int Line)> Reference(string path)
    {
        var tokens = new List<(string, int)>();
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            foreach (string w in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)) tokens.Add((w, line));
            tokens.Add(("<eos>", line));
        }
        return tokens;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(65536)]
    public void BufferBoundariesDoNotChangeTokens(int bufferSize)
    {
        var rng = new Random(bufferSize);
        string[] pieces = ["a", "bb", "ccc", "naïve", "longerword", " ", "  ", "\t", "\n", "\r\n", "\r", "\n\n", " \u00a0 "];
        using var dir = new TempDirectory();
        for (int trial = 0; trial < 40; trial++)
        {
            var sb = new StringBuilder();
            int n = rng.Next(0, 60);
            for (int i = 0; i < n; i++) sb.Append(pieces[rng.Next(pieces.Length)]);
            string path = dir.File($"t{trial}.txt");
            File.WriteAllText(path, sb.ToString(), new UTF8Encoding(false));

            var actual = new List<(string, int)>();
            WordFile.ForEachToken(path, (token, line) => actual.Add((token.ToString(), line)), bufferSize);
            Assert.Equal(Reference(path), actual);
        }
    }

    [Fact]
    public void AWordLongerThanTheBufferIsKeptWhole()
    {
        using var dir = new TempDirectory();
        string word = new('x', 1000);
        string path = dir.File("long.txt");
        File.WriteAllText(path, $"a {word} b\nc");
        var actual = new List<string>();
        WordFile.ForEachToken(path, (token, _) => actual.Add(token.ToString()), 16);
        Assert.Equal(["a", word, "b", "<eos>", "c", "<eos>"], actual);
    }
}
