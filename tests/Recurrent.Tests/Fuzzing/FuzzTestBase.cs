using Xunit.Abstractions;

namespace Recurrent.Tests.Fuzzing;

/// <summary>
/// What the fuzz tests of the readers that came after <see cref="ReaderFuzzTests"/> share: the same settings and the
/// same report, with a shorter long-mode box per reader (there are more of them).
/// </summary>
public abstract class FuzzTestBase(ITestOutputHelper output)
{
    /// <summary>The long mode stops each reader after this long, whatever RECURRENT_FUZZ_CASES says (RECURRENT_FUZZ_SECONDS overrides it).</summary>
    protected static readonly TimeSpan LongModeTimeBox = TimeSpan.FromSeconds(100);

    protected void RunAndReport(ReaderFuzzer fuzzer)
    {
        ReaderFuzzer.Report report = fuzzer.Run();
        output.WriteLine(report.ToString());
        if (ReaderFuzzer.LongMode)
            File.AppendAllText(Path.Combine(Path.GetTempPath(), "recurrent-fuzz-report.txt"), report + "\n");
        report.AssertClean();
    }

    protected static ReaderFuzzer Fuzzer(string name, IReadOnlyList<byte[]> examples, Func<string, object?> read, Action<byte[], object?> validate,
        string fileName, Action<string>? prepare = null) =>
        new(name, examples, read)
        {
            Validate = validate,
            FileName = fileName,
            Prepare = prepare,
            TimeBox = ReaderFuzzer.LongMode ? ReaderFuzzer.LongModeBox(LongModeTimeBox) : null,
        };

    /// <summary>The lines of a text as <see cref="StreamReader.ReadLine"/> and the documented rules cut them: at \r\n, \n or \r; no empty last line after a final break.</summary>
    protected static List<string> Lines(string text)
    {
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] is not ('\n' or '\r')) continue;
            lines.Add(text[start..i]);
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (start < text.Length) lines.Add(text[start..]);
        return lines;
    }

    /// <summary>The text of UTF-8 bytes after an optional byte-order mark, or null when they are not strict UTF-8.</summary>
    protected static string? StrictText(byte[] bytes)
    {
        ReadOnlySpan<byte> body = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes.AsSpan(3) : bytes;
        return System.Text.Unicode.Utf8.IsValid(body) ? System.Text.Encoding.UTF8.GetString(body) : null;
    }
}
