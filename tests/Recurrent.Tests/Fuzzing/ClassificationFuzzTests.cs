using System.Globalization;
using System.Text;
using System.Text.Json;
using Recurrent.Data.Classification;
using Xunit.Abstractions;

namespace Recurrent.Tests.Fuzzing;

/// <summary>
/// <see cref="ClassificationDataReader.Read"/> under <see cref="ReaderFuzzer"/> on CSV, TSV and JSON Lines. A successful
/// read is checked against an oracle: an RFC 4180 parser written here (CSV strict; TSV keeps a quote inside an unquoted
/// field) or, for JSON Lines, the documented line rules over <see cref="JsonDocument"/> with duplicate keys refused.
/// </summary>
public class ClassificationFuzzTests(ITestOutputHelper output) : FuzzTestBase(output)
{
    private static readonly (string Text, string Label)[] Reviews =
    [
        ("A fine film, truly.", "pos"), ("Awful; \"boring\" and long", "neg"), ("two\nlines of text", "pos"), ("naïve café — 日本 😀", "neg"),
        ("ok", " pos "), ("meh, meh", "neg"), ("Great \"fun\"", "pos"), ("x", "neg"),
    ];

    private static string Quote(string s, char separator) =>
        s.Contains('"') || s.Contains(separator) || s.Contains('\n') || s.StartsWith(' ') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    private static byte[] Delimited(char separator, bool bom, string lineBreak)
    {
        var text = new StringBuilder($"id{separator}text{separator}label{lineBreak}");
        for (int i = 0; i < Reviews.Length; i++)
            text.Append(CultureInfo.InvariantCulture, $"{i}{separator}{Quote(Reviews[i].Text, separator)}{separator}{Quote(Reviews[i].Label, separator)}{lineBreak}");
        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
        return bom ? [0xEF, 0xBB, 0xBF, .. bytes] : bytes;
    }

    private static byte[] JsonLines(bool numbers)
    {
        var text = new StringBuilder();
        for (int i = 0; i < Reviews.Length; i++)
        {
            string label = numbers ? (i % 2).ToString(CultureInfo.InvariantCulture) : JsonSerializer.Serialize(Reviews[i].Label);
            text.Append(CultureInfo.InvariantCulture, $"{{\"id\": {i}, \"text\": {JsonSerializer.Serialize(Reviews[i].Text)}, \"label\": {label}, \"extra\": [1, {{\"a\": null}}]}}");
            text.Append(i == 3 ? "\r\n\n" : "\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    [Fact]
    public void CsvRead()
    {
        RunAndReport(Fuzzer("classification-csv", [Delimited(',', false, "\n"), Delimited(',', true, "\r\n")], path => ClassificationDataReader.Read(path),
            (bytes, result) => AssertExamples(DelimitedOracle(bytes, ',', strict: true), (ClassificationData)result!), "reviews.csv"));
    }

    [Fact]
    public void TsvRead()
    {
        RunAndReport(Fuzzer("classification-tsv", [Delimited('\t', false, "\n"), Delimited('\t', true, "\r\n")], path => ClassificationDataReader.Read(path),
            (bytes, result) => AssertExamples(DelimitedOracle(bytes, '\t', strict: false), (ClassificationData)result!), "reviews.tsv"));
    }

    [Fact]
    public void JsonLinesRead()
    {
        RunAndReport(Fuzzer("classification-jsonl", [JsonLines(false), JsonLines(true)], path => ClassificationDataReader.Read(path),
            (bytes, result) => AssertExamples(JsonLinesOracle(bytes), (ClassificationData)result!), "reviews.jsonl"));
    }

    /// <summary>Expected examples (line, text, label), or null when the oracle cannot say (TSV text after a closing quote, which the reader recovers from).</summary>
    private static void AssertExamples(List<(int Line, string Text, string Label)>? expected, ClassificationData data)
    {
        Assert.All(data.Train, e => Assert.False(string.IsNullOrWhiteSpace(e.Text) || e.Label.Length == 0 || e.Label != e.Label.Trim()));
        Assert.True(data.Labels.Count >= 2, "fewer than two labels");
        if (expected is null) return;
        Assert.Equal(expected.Select(e => e.Text), data.Train.Select(e => e.Text));
        Assert.Equal(expected.Select(e => e.Label), data.Train.Select(e => e.Label));
        Assert.Equal(expected.Select(e => ":" + e.Line.ToString(CultureInfo.InvariantCulture)), data.Train.Select(e => e.Source[e.Source.LastIndexOf(':')..]));
    }

    private sealed class Undetermined : Exception;

    private static List<(int Line, string Text, string Label)>? DelimitedOracle(byte[] bytes, char separator, bool strict)
    {
        string? text = StrictText(bytes);
        Assert.True(text is not null, "the file is not UTF-8 but was read");
        List<(int Line, List<string> Fields)> records;
        try
        {
            records = Records(text, separator, strict);
        }
        catch (Undetermined)
        {
            return null;
        }
        Assert.NotEmpty(records);
        List<string> header = records[0].Fields;
        int Column(string name)
        {
            int exact = header.IndexOf(name);
            return exact >= 0 ? exact : header.FindIndex(h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));
        }
        int t = Column("text"), l = Column("label");
        Assert.True(t >= 0 && l >= 0 && t != l, "no text or label column");
        var examples = new List<(int, string, string)>();
        foreach (var (line, fields) in records.Skip(1))
        {
            Assert.True(fields.Count == header.Count, $"line {line}: {fields.Count} fields, the header has {header.Count}");
            examples.Add((line, fields[t], fields[l].Trim()));
        }
        return examples;
    }

    /// <summary>RFC 4180 records with their first line; blank lines skipped; a quoted field may hold anything, "" for a quote.</summary>
    private static List<(int Line, List<string> Fields)> Records(string text, char separator, bool strict)
    {
        var records = new List<(int, List<string>)>();
        int pos = 0, line = 1;
        while (pos < text.Length)
        {
            if (text[pos] is '\r' or '\n')
            {
                if (text[pos] == '\n' || pos + 1 == text.Length || text[pos + 1] != '\n') line++;
                pos++;
                continue;
            }
            int start = line;
            var fields = new List<string>();
            while (true)
            {
                var field = new StringBuilder();
                if (pos < text.Length && text[pos] == '"')
                {
                    pos++;
                    while (true)
                    {
                        Assert.True(pos < text.Length, "a quoted field is never closed");
                        char c = text[pos];
                        if (c == '"')
                        {
                            if (pos + 1 < text.Length && text[pos + 1] == '"') { field.Append('"'); pos += 2; continue; }
                            pos++;
                            break;
                        }
                        if (c == '\n' || (c == '\r' && (pos + 1 == text.Length || text[pos + 1] != '\n'))) line++;
                        field.Append(c);
                        pos++;
                    }
                    if (pos < text.Length && text[pos] != separator && text[pos] is not ('\r' or '\n'))
                    {
                        Assert.False(strict, "text after a closing quote");
                        throw new Undetermined();
                    }
                }
                else
                {
                    while (pos < text.Length && text[pos] != separator && text[pos] is not ('\r' or '\n'))
                    {
                        Assert.False(strict && text[pos] == '"', "a quote inside an unquoted field");
                        field.Append(text[pos++]);
                    }
                }
                fields.Add(field.ToString());
                if (pos < text.Length && text[pos] == separator) { pos++; continue; }
                if (pos < text.Length)
                {
                    pos += text[pos] == '\r' && pos + 1 < text.Length && text[pos + 1] == '\n' ? 2 : 1;
                    line++;
                }
                break;
            }
            records.Add((start, fields));
        }
        return records;
    }

    private static List<(int Line, string Text, string Label)> JsonLinesOracle(byte[] bytes)
    {
        string? text = StrictText(bytes);
        Assert.True(text is not null, "the file is not UTF-8 but was read");
        var examples = new List<(int, string, string)>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim(' ', '\t', '\r').Length == 0) continue;
            using JsonDocument document = JsonDocument.Parse(lines[i]);
            JsonElement root = document.RootElement;
            Assert.Equal(JsonValueKind.Object, root.ValueKind);
            var properties = root.EnumerateObject().ToList();
            Assert.True(properties.Count(p => p.Name == "text") == 1 && properties.Count(p => p.Name == "label") == 1, $"line {i + 1}: no text or label, or one twice");
            JsonElement t = properties.Single(p => p.Name == "text").Value, l = properties.Single(p => p.Name == "label").Value;
            Assert.Equal(JsonValueKind.String, t.ValueKind);
            Assert.True(l.ValueKind is JsonValueKind.String or JsonValueKind.Number);
            string label = l.ValueKind == JsonValueKind.String ? l.GetString()! : l.GetRawText();
            examples.Add((i + 1, t.GetString()!, label.Trim()));
        }
        return examples;
    }
}
