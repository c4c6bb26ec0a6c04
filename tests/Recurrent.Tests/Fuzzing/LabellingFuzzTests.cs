using System.Globalization;
using System.IO.Compression;
using System.Text;
using Recurrent.Data.Labelling;
using Recurrent.Tests.Data.Labelling;
using Xunit.Abstractions;

namespace Recurrent.Tests.Fuzzing;

/// <summary>
/// The tagging-data readers under <see cref="ReaderFuzzer"/>: CoNLL columns, CoNLL-U and the OCR letters (plain and
/// gzip). Each successful read is checked against an oracle that follows the reader's documented rules, written apart
/// from it: lines end at \r\n, \n or \r; the text is strict UTF-8 after an optional byte-order mark.
/// </summary>
public class LabellingFuzzTests(ITestOutputHelper output) : FuzzTestBase(output)
{
    private const string Conll =
        "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\ncall NN I-NP O\n. . O O\n\n" +
        "Peter NNP B-NP B-PER\r\nBlackburn NNP I-NP I-PER\r\n\r\nZürich\tNNP\tB-NP\tB-LOC\n日本 NNP B-NP B-LOC\n   \n\"naïve\" JJ B-ADJP O\n";

    private const string ConllU =
        "# sent_id = 1\n# text = Don't stop.\n1-2\tDon't\t_\t_\t_\t_\t_\t_\t_\t_\n1\tDo\tdo\tAUX\tVBP\t_\t3\taux\t_\t_\n2\tn't\tnot\tPART\tRB\t_\t3\tadvmod\t_\t_\n" +
        "3\tstop\tstop\tVERB\tVB\t_\t0\troot\t_\tSpaceAfter=No\n3.1\tgo\tgo\tVERB\tVB\t_\t_\t_\t0:root\t_\n4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_\n\n" +
        "# sent_id = 2\n1\tCafé\tcafé\tNOUN\tNN\t_\t0\troot\t_\t_\n2\t日本\t日本\tPROPN\tNNP\t_\t1\tnmod\t_\t_\n\n";

    [Fact]
    public void ConllColumnRead()
    {
        RunAndReport(Fuzzer("conll-columns", [Encoding.UTF8.GetBytes(Conll), Encoding.UTF8.GetBytes("a DT B-NP\nb NN I-NP\n")], path => ConllColumnReader.Read(path),
            (bytes, result) => AssertSentences(ConllOracle(Text(bytes)), (List<LabelledSentence>)result!), "train.txt"));
    }

    [Fact]
    public void ConllURead()
    {
        RunAndReport(Fuzzer("conll-u", [Encoding.UTF8.GetBytes(ConllU), [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(ConllU.Replace("\n", "\r\n"))]], path => ConllUReader.Read(path),
            (bytes, result) => AssertSentences(ConllUOracle(Text(bytes)), (List<LabelledSentence>)result!), "en-ud-train.conllu"));
    }

    private static string LetterData => LabellingTestFiles.LetterData([(1, 0, "ab"), (2, 0, "ode"), (3, 5, "z")]);

    /// <summary>The CS 512 layout: spaces, no fold, next_id the next letter's position.</summary>
    private static string CourseData()
    {
        var s = new StringBuilder();
        int id = 1;
        foreach (var (word, letters) in new[] { (1, "ok"), (2, "t") })
            for (int p = 0; p < letters.Length; p++, id++)
            {
                s.Append(CultureInfo.InvariantCulture, $"{id} {letters[p]} {(p == letters.Length - 1 ? -1 : p + 2)} {word} {p + 1}");
                for (int k = 0; k < 128; k++) s.Append(' ').Append((k * 7 + id) % 3 == 0 ? '1' : '0');
                s.Append('\n');
            }
        return s.ToString();
    }

    [Fact]
    public void OcrLetterRead()
    {
        RunAndReport(Fuzzer("ocr-letters", [Encoding.UTF8.GetBytes(LetterData), Encoding.UTF8.GetBytes(CourseData())], path => OcrLetterReader.Read(path),
            (bytes, result) => AssertWords(OcrOracle(Text(bytes)), (List<OcrWord>)result!), "letter.data"));
    }

    [Fact]
    public void OcrLetterReadGzip()
    {
        RunAndReport(Fuzzer("ocr-letters-gz", [Gzip(Encoding.UTF8.GetBytes(LetterData)), Gzip(Encoding.UTF8.GetBytes(CourseData()))], path => OcrLetterReader.Read(path),
            (bytes, result) => AssertWords(OcrOracle(Text(bytes is [0x1F, 0x8B, ..] ? Gunzip(bytes) : bytes)), (List<OcrWord>)result!), "letter.data.gz"));
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var z = new GZipStream(output, CompressionLevel.Optimal)) z.Write(bytes);
        return output.ToArray();
    }

    /// <summary>
    /// The content of a gzip file (one that starts with the magic bytes; others are read as plain text) that must have been whole: one member whose trailer records the length that comes
    /// out (GZipStream checks the CRC-32; a cut-off stream it reads as if it ended early).
    /// </summary>
    private static byte[] Gunzip(byte[] bytes)
    {
        Assert.True(bytes.Length >= 18 && bytes[0] == 0x1F && bytes[1] == 0x8B, "not gzip, or too short for a gzip member");
        using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        Assert.Equal(BitConverter.ToUInt32(bytes, bytes.Length - 4), (uint)output.Length);
        return output.ToArray();
    }

    /// <summary>The text of a file that must have been strict UTF-8 (after an optional byte-order mark) without U+FFFF.</summary>
    private static string Text(byte[] bytes)
    {
        string? text = StrictText(bytes);
        Assert.True(text is not null, "the file is not UTF-8 but was read");
        return text;
    }

    /// <summary>Sentences by the rules of <see cref="ConllColumnReader"/>: columns split at spaces and tabs, the last the tag.</summary>
    private static List<(int Line, string[] Tokens, string[] Tags, string[][] Features)> ConllOracle(string text)
    {
        var sentences = new List<(int, string[], string[], string[][])>();
        var rows = new List<string[]>();
        int columns = -1, start = 0;
        List<string> lines = Lines(text);
        for (int i = 0; i <= lines.Count; i++)
        {
            string[] fields = i < lines.Count ? lines[i].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries) : [];
            if (fields.Length == 0 || fields[0] == "-DOCSTART-")
            {
                if (rows.Count > 0)
                    sentences.Add((start, rows.Select(r => r[0]).ToArray(), rows.Select(r => r[^1]).ToArray(),
                        Enumerable.Range(1, columns - 2).Select(c => rows.Select(r => r[c]).ToArray()).ToArray()));
                rows.Clear();
                continue;
            }
            if (columns < 0) columns = fields.Length;
            Assert.True(fields.Length >= 2, $"line {i + 1}: a token line without a tag");
            Assert.True(fields.Length == columns, $"line {i + 1}: {fields.Length} columns, the first token line has {columns}");
            if (rows.Count == 0) start = i + 1;
            rows.Add(fields);
        }
        return sentences;
    }

    /// <summary>Sentences by the CoNLL-U rules of <see cref="ConllUReader"/>, UPOS tags.</summary>
    private static List<(int Line, string[] Tokens, string[] Tags, string[][] Features)> ConllUOracle(string text)
    {
        var sentences = new List<(int, string[], string[], string[][])>();
        var forms = new List<string>();
        var tags = new List<string>();
        int start = 0;
        List<string> lines = Lines(text);
        for (int i = 0; i <= lines.Count; i++)
        {
            string line = i < lines.Count ? lines[i] : "";
            if (line.Trim().Length == 0)
            {
                if (forms.Count > 0) sentences.Add((start, forms.ToArray(), tags.ToArray(), []));
                forms.Clear();
                tags.Clear();
                continue;
            }
            if (line[0] == '#') continue;
            string[] f = line.Split('\t');
            Assert.True(f.Length == 10, $"line {i + 1}: {f.Length} fields");
            if (System.Text.RegularExpressions.Regex.IsMatch(f[0], @"^[0-9]+[-.][0-9]+\z")) continue;
            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(f[0], @"^[0-9]+\z"), $"line {i + 1}: the ID '{f[0]}'");
            Assert.True(f[0].TrimStart('0') == (forms.Count + 1).ToString(CultureInfo.InvariantCulture), $"line {i + 1}: word {f[0]} after {forms.Count}");
            Assert.True(f[3].Length > 0 && f[3] != "_", $"line {i + 1}: no UPOS");
            if (forms.Count == 0) start = i + 1;
            forms.Add(f[1]);
            tags.Add(f[3]);
        }
        return sentences;
    }

    private static void AssertSentences(List<(int Line, string[] Tokens, string[] Tags, string[][] Features)> expected, List<LabelledSentence> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int s = 0; s < expected.Count; s++)
        {
            Assert.Equal(expected[s].Line, actual[s].Line);
            Assert.Equal(expected[s].Tokens, actual[s].Tokens);
            Assert.Equal(expected[s].Tags, actual[s].Tags);
            Assert.Equal(expected[s].Features.Length, actual[s].Features.Count);
            for (int c = 0; c < expected[s].Features.Length; c++) Assert.Equal(expected[s].Features[c], actual[s].Features[c]);
        }
    }

    /// <summary>
    /// Words by the rules of <see cref="OcrLetterReader"/>: fields split at spaces and tabs; the first line's count
    /// (6 + 128 or 5 + 128) fixes the layout; integers for id, next_id, word_id, position (and fold); a one-character
    /// letter; finite pixels; within a word the same word id and fold, positions 1, 2, …, and in letter.data each id the
    /// previous next_id; a word ends at next_id −1 and the file at the end of a word; no blank line.
    /// </summary>
    private static List<OcrWord> OcrOracle(string text)
    {
        var words = new List<OcrWord>();
        List<string> lines = Lines(text);
        int header = -1;
        var letters = new StringBuilder();
        var pixels = new List<float>();
        int wordId = 0, fold = 0, start = 0, lastPosition = 0, expectedId = 0;
        for (int i = 0; i < lines.Count; i++)
        {
            string[] f = lines[i].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (header < 0) header = f.Length - 128;
            Assert.True(header is 5 or 6, $"line {i + 1}: {f.Length} fields");
            Assert.True(f.Length == header + 128, $"line {i + 1}: {f.Length} fields");
            int Int(int k)
            {
                Assert.True(System.Text.RegularExpressions.Regex.IsMatch(f[k], @"^[+-]?[0-9]+\z") && int.TryParse(f[k], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v),
                    $"line {i + 1}: field {k} '{f[k]}' is not an integer");
                return int.Parse(f[k], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            }
            int id = Int(0), next = Int(2), word = Int(3), position = Int(4), fo = header == 6 ? Int(5) : -1;
            Assert.True(f[1].Length == 1, $"line {i + 1}: the letter '{f[1]}'");
            if (letters.Length == 0)
            {
                Assert.True(position == 1, $"line {i + 1}: a word starts at position {position}");
                (wordId, fold, start) = (word, fo, i + 1);
            }
            else
            {
                Assert.True(word == wordId && fo == fold && position == lastPosition + 1, $"line {i + 1}: breaks the word");
                if (header == 6) Assert.True(id == expectedId, $"line {i + 1}: id {id}, expected {expectedId}");
            }
            letters.Append(f[1]);
            for (int p = 0; p < 128; p++)
            {
                Assert.True(float.TryParse(f[header + p], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v), $"line {i + 1}: pixel '{f[header + p]}'");
                pixels.Add(v);
            }
            (lastPosition, expectedId) = (position, next);
            if (next == -1)
            {
                words.Add(new OcrWord(wordId, fold, letters.ToString(), pixels.ToArray(), "", start));
                letters.Clear();
                pixels.Clear();
            }
        }
        Assert.True(letters.Length == 0, "the file ends inside a word");
        return words;
    }

    private static void AssertWords(List<OcrWord> expected, List<OcrWord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int w = 0; w < expected.Count; w++)
        {
            Assert.Equal((expected[w].WordId, expected[w].Fold, expected[w].Letters, expected[w].Line), (actual[w].WordId, actual[w].Fold, actual[w].Letters, actual[w].Line));
            Assert.Equal(expected[w].Pixels, actual[w].Pixels);
        }
    }
}
