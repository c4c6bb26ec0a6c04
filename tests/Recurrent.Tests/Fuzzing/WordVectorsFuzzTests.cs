using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Recurrent.Data;
using Recurrent.Embeddings;
using Xunit.Abstractions;

namespace Recurrent.Tests.Fuzzing;

/// <summary>
/// <see cref="WordVectorsFile.Read(string)"/> under <see cref="ReaderFuzzer"/>, one run per layout (word2vec text,
/// word2vec binary, GloVe text); every successful read is checked against <see cref="Oracle"/>, an independent reading
/// of the layouts as <see cref="WordVectorsFormat"/> describes them.
/// </summary>
public class WordVectorsFuzzTests(ITestOutputHelper output) : FuzzTestBase(output)
{
    private static readonly string[] Words = ["the", "naïve", "日本", "café", "😀", "w5", "x", "</s>", "Zürich", "w9"];

    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
            values[i] = random.Next(8) == 0 ? 0f : (float)(random.NextDouble() * 4 - 2) * (random.Next(4) == 0 ? 1e-3f : 1f);
        return values;
    }

    /// <summary>Text rows "word x1 … xd", numbers in several notations, separated by a space or a tab.</summary>
    private static string Rows(int words, int dimension, int seed)
    {
        float[] values = Values(words * dimension, seed);
        var text = new StringBuilder();
        for (int w = 0; w < words; w++)
        {
            text.Append(Words[w % Words.Length]);
            for (int d = 0; d < dimension; d++)
            {
                float x = values[w * dimension + d];
                text.Append(d % 5 == 4 ? '\t' : ' ').Append(((w + d) % 3) switch
                {
                    0 => x.ToString("R", CultureInfo.InvariantCulture),
                    1 => x.ToString("E3", CultureInfo.InvariantCulture),
                    _ => x.ToString("F4", CultureInfo.InvariantCulture),
                });
            }
            text.Append(w % 4 == 3 ? "\r\n" : "\n");
        }
        return text.ToString();
    }

    private static byte[] Word2VecText(int words, int dimension, int seed) => Encoding.UTF8.GetBytes($"{words} {dimension}\n" + Rows(words, dimension, seed));

    private static byte[] Word2VecBinary(int words, int dimension, int seed)
    {
        float[] values = Values(words * dimension, seed);
        var bytes = new List<byte>(Encoding.ASCII.GetBytes($"{words} {dimension}\n"));
        var scratch = new byte[4];
        for (int w = 0; w < words; w++)
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(Words[w % Words.Length]));
            bytes.Add((byte)' ');
            for (int d = 0; d < dimension; d++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(scratch, values[w * dimension + d]);
                bytes.AddRange(scratch);
            }
            bytes.Add((byte)'\n');
        }
        return bytes.ToArray();
    }

    private static object Read(string path) => (WordVectorsFile.Read(path, out WordVectorsFormat format), format);

    [Fact]
    public void Word2VecTextRead()
    {
        RunAndReport(Fuzzer("word-vectors-text", [Word2VecText(10, 6, 1), Word2VecText(2, 3, 2)], Read, Oracle, "vectors.txt").With("header-counts", HeaderCounts));
    }

    [Fact]
    public void Word2VecBinaryRead()
    {
        RunAndReport(Fuzzer("word-vectors-binary", [Word2VecBinary(10, 6, 3), Word2VecBinary(3, 2, 4)], Read, Oracle, "vectors.bin").With("header-counts", HeaderCounts));
    }

    [Fact]
    public void GloVeRead()
    {
        RunAndReport(Fuzzer("word-vectors-glove", [Encoding.UTF8.GetBytes(Rows(10, 7, 5)), Encoding.UTF8.GetBytes(Rows(2, 2, 6))], Read, Oracle, "glove.txt")
            .With("header-counts", HeaderCounts));
    }

    /// <summary>Puts a word2vec header of nearby, tiny or huge counts in place of the first line (a GloVe file gets one too).</summary>
    private static byte[] HeaderCounts(byte[] valid, Random random)
    {
        int newline = Array.IndexOf(valid, (byte)'\n');
        string[] header = newline < 0 ? [] : Encoding.ASCII.GetString(valid, 0, newline).Split(' ');
        long words = header.Length == 2 && long.TryParse(header[0], out long w) ? w : 10, dimension = header.Length == 2 && long.TryParse(header[1], out long d) ? d : 7;
        long[] choices = [0, 1, 2, words - 1, words + 1, dimension - 1, dimension + 1, 2 * words, 1000, 65_536, 1_000_000, 100_000_000, int.MaxValue, (long)int.MaxValue + 1, 1L << 40, long.MaxValue];
        string line = $"{choices[random.Next(choices.Length)]} {(random.Next(2) == 0 ? dimension : choices[random.Next(choices.Length)])}\n";
        bool replace = header.Length == 2 && random.Next(4) != 0;
        return [.. Encoding.ASCII.GetBytes(line), .. valid.AsSpan(replace ? newline + 1 : 0)];
    }

    /// <summary>
    /// Reads the bytes as <see cref="WordVectorsFormat"/> describes the layout the reader reported, apart from it, and
    /// checks that the file is valid in that layout and that every word and value was read as stored. The rules: a first
    /// line of exactly two integers is a word2vec header (WORDS DIMENSION, DIMENSION ≥ 1); lines end at \n, a \r before
    /// it is dropped; fields are separated by spaces and tabs; blank lines are skipped; text rows are a word and
    /// DIMENSION numbers; a binary record is optional line breaks, the word, a space and DIMENSION little-endian float32;
    /// words are non-empty UTF-8 (in binary, without line breaks or tabs); every value is finite; exactly WORDS vectors,
    /// nothing but line breaks after the last.
    /// </summary>
    private static void Oracle(byte[] bytes, object? result)
    {
        var (vectors, format) = ((WordVectors, WordVectorsFormat))result!;
        var expectedWords = new List<string>();
        var expectedValues = new List<float>();
        List<byte[]> lines = SplitLines(bytes);
        Assert.True(lines.Count > 0, "an empty file was read");
        List<byte[]> first = Fields(lines[0]);
        bool header = first.Count == 2 && first.All(f => f.All(b => char.IsAsciiDigit((char)b)) && long.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        int dimension;
        if (header)
        {
            Assert.NotEqual(WordVectorsFormat.GloVeText, format);
            long words = long.Parse(first[0], CultureInfo.InvariantCulture), d = long.Parse(first[1], CultureInfo.InvariantCulture);
            Assert.True(d >= 1, "dimension 0");
            dimension = (int)d;
            if (format == WordVectorsFormat.Word2VecBinary)
            {
                int at = Array.IndexOf(bytes, (byte)'\n') + 1;
                Assert.True(at > 0, "no line after the header");
                for (long r = 0; r < words; r++)
                {
                    while (at < bytes.Length && bytes[at] is (byte)'\n' or (byte)'\r') at++;
                    int space = Array.IndexOf(bytes, (byte)' ', at);
                    Assert.True(space > at, $"record {r + 1}: no word");
                    byte[] word = bytes[at..space];
                    Assert.True(Utf8.IsValid(word), $"record {r + 1}: the word is not UTF-8");
                    Assert.True(word.AsSpan().IndexOfAny("\t\n\r\v\f"u8) < 0, $"record {r + 1}: a line break or tab inside the word");
                    expectedWords.Add(Encoding.UTF8.GetString(word));
                    at = space + 1;
                    Assert.True(bytes.Length - at >= 4L * dimension, $"record {r + 1}: short vector");
                    for (int k = 0; k < dimension; k++, at += 4) expectedValues.Add(BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at)));
                }
                Assert.True(bytes.AsSpan(at).IndexOfAnyExcept("\r\n"u8) < 0, "bytes after the last announced vector");
            }
            else
            {
                int rows = 0;
                foreach (byte[] line in lines.Skip(1))
                {
                    List<byte[]> fields = Fields(line);
                    if (fields.Count == 0) continue;
                    Assert.True(rows < words, "more rows than the header announces");
                    Row(fields, dimension, expectedWords, expectedValues);
                    rows++;
                }
                Assert.Equal(words, rows);
            }
        }
        else
        {
            Assert.Equal(WordVectorsFormat.GloVeText, format);
            Assert.True(first.Count >= 2, "the first line is not a row");
            dimension = first.Count - 1;
            foreach (byte[] line in lines)
            {
                List<byte[]> fields = Fields(line);
                if (fields.Count > 0) Row(fields, dimension, expectedWords, expectedValues);
            }
        }
        Assert.All(expectedValues, v => Assert.True(float.IsFinite(v), "a value is not finite"));
        Assert.Equal(dimension, vectors.Dimension);
        Assert.Equal(expectedWords, vectors.Words);
        for (int i = 0; i < vectors.Count; i++)
            Assert.True(vectors[i].SequenceEqual(expectedValues.GetRange(i * dimension, dimension).ToArray()), $"the vector of '{vectors.Words[i]}' was misread");
    }

    private static void Row(List<byte[]> fields, int dimension, List<string> words, List<float> values)
    {
        Assert.Equal(dimension + 1, fields.Count);
        Assert.True(Utf8.IsValid(fields[0]), "a word is not UTF-8");
        words.Add(Encoding.UTF8.GetString(fields[0]));
        foreach (byte[] field in fields.Skip(1))
        {
            Assert.True(Utf8.IsValid(field), "a number is not UTF-8");
            Assert.True(float.TryParse(Encoding.UTF8.GetString(field), NumberStyles.Float, CultureInfo.InvariantCulture, out float value), "a field is not a number");
            values.Add(value);
        }
    }

    /// <summary>Lines cut at \n, a final \r dropped; no empty last line after a final \n.</summary>
    private static List<byte[]> SplitLines(byte[] bytes)
    {
        var lines = new List<byte[]>();
        int start = 0;
        for (int i = 0; i <= bytes.Length; i++)
        {
            if (i < bytes.Length && bytes[i] != (byte)'\n') continue;
            if (i == bytes.Length && start == bytes.Length) break;
            int end = i > start && bytes[i - 1] == (byte)'\r' ? i - 1 : i;
            lines.Add(bytes[start..end]);
            start = i + 1;
        }
        return lines;
    }

    private static List<byte[]> Fields(byte[] line)
    {
        var fields = new List<byte[]>();
        int i = 0;
        while (i < line.Length)
        {
            if (line[i] is (byte)' ' or (byte)'\t') { i++; continue; }
            int start = i;
            while (i < line.Length && line[i] is not ((byte)' ' or (byte)'\t')) i++;
            fields.Add(line[start..i]);
        }
        return fields;
    }
}
