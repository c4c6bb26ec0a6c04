using System.Text;
using Recurrent.Data;
using Recurrent.Embeddings;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Embeddings;

/// <summary>word2vec text and binary and GloVe files: round trips, detection, and the errors for malformed files.</summary>
public class WordVectorsFileTests
{
    private static readonly string[] Words = ["the", "café", "naïve", "日本語", "😀", "Ωmega", "x"];

    private static WordVectors Sample(int dimension = 5)
    {
        float[] values = Reference.RandomArray(Words.Length * dimension, 11, -3f, 3f);
        values[0] = 1e-30f;
        values[1] = -0f;
        values[2] = 123456.789f;
        values[3] = float.Epsilon;
        return new WordVectors(Words, values, dimension);
    }

    [Theory]
    [InlineData(false, WordVectorsFormat.Word2VecText)]
    [InlineData(true, WordVectorsFormat.Word2VecBinary)]
    public void RoundTripIsExactIncludingNonAsciiWords(bool binary, WordVectorsFormat expected)
    {
        using var dir = new TempDirectory();
        string path = dir.File(binary ? "v.bin" : "v.txt");
        WordVectors original = Sample();
        WordVectorsFile.Write(path, original, binary);
        WordVectors read = WordVectorsFile.Read(path, out WordVectorsFormat format);
        Assert.Equal(expected, format);
        Assert.Equal(original.Words, read.Words);
        Assert.Equal(original.Dimension, read.Dimension);
        for (int i = 0; i < original.Values.Length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(original.Values[i]), BitConverter.SingleToInt32Bits(read.Values[i]));
        Assert.Single(Directory.GetFiles(dir.Path)); // no temporary file left behind
    }

    [Fact]
    public void BinaryLayoutIsWord2vecs()
    {
        using var dir = new TempDirectory();
        string path = dir.File("v.bin");
        var vectors = new WordVectors(["ab", "é"], [1f, 2f, -1f, 0.5f], 2);
        WordVectorsFile.Write(path, vectors, binary: true);
        byte[] expected = [.. "2 2\nab "u8, .. BitConverter.GetBytes(1f), .. BitConverter.GetBytes(2f), (byte)'\n',
            .. "é "u8, .. BitConverter.GetBytes(-1f), .. BitConverter.GetBytes(0.5f), (byte)'\n'];
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void ReadsWord2vecTextAsTheCToolWritesItAndGloVe()
    {
        using var dir = new TempDirectory();
        string c = dir.File("c.txt");
        File.WriteAllText(c, "2 3\r\nthe 0.100000 -0.200000 3.000000 \r\nof 1 2 3 \r\n");
        WordVectors fromC = WordVectorsFile.Read(c, out WordVectorsFormat f1);
        Assert.Equal(WordVectorsFormat.Word2VecText, f1);
        Assert.Equal(["the", "of"], fromC.Words);
        Assert.Equal([0.1f, -0.2f, 3f], fromC[0].ToArray());

        string glove = dir.File("glove.txt");
        File.WriteAllText(glove, "the 0.5 1\nnaïve -1 2e-3\n\n", new UTF8Encoding(false));
        WordVectors fromGlove = WordVectorsFile.Read(glove, out WordVectorsFormat f2);
        Assert.Equal(WordVectorsFormat.GloVeText, f2);
        Assert.Equal(["the", "naïve"], fromGlove.Words);
        Assert.Equal([-1f, 0.002f], fromGlove[1].ToArray());

        WordVectors limited = WordVectorsFile.Read(glove, out _, maxWords: 1);
        Assert.Equal(1, limited.Count);
    }

    [Fact]
    public void ZeroVectorsAndOneDimensionAreDetectedAsBinary()
    {
        using var dir = new TempDirectory();
        string path = dir.File("z");
        WordVectorsFile.Write(path, new WordVectors(["a", "b"], [0f, 1.5f], 1), binary: true);
        WordVectors read = WordVectorsFile.Read(path, out WordVectorsFormat format);
        Assert.Equal(WordVectorsFormat.Word2VecBinary, format);
        Assert.Equal([0f, 1.5f], read.Values.ToArray());
    }

    private static RecurrentException ReadError(TempDirectory dir, byte[] content)
    {
        string path = dir.File("bad.txt");
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<RecurrentException>(() => WordVectorsFile.Read(path));
        Assert.Contains(path, e.Message);
        return e;
    }

    private static RecurrentException ReadError(TempDirectory dir, string content) => ReadError(dir, Encoding.UTF8.GetBytes(content));

    [Fact]
    public void MalformedTextFilesNameTheLine()
    {
        using var dir = new TempDirectory();
        Assert.Contains("line 1: bad header", ReadError(dir, "vectors of words\nthe 1 2\n").Message);
        Assert.Contains("line 1: bad header", ReadError(dir, "2 0\n").Message);
        var shortVector = ReadError(dir, "2 3\nthe 1 2 3\nof 1 2\n");
        Assert.Contains("line 3", shortVector.Message);
        Assert.Contains("short vector", shortVector.Message);
        Assert.Contains("line 2", ReadError(dir, "1 2\nthe 1 2 3\n").Message);
        var notNumber = ReadError(dir, "2 3\nthe 1 2 3\nof 1 x2 3\n");
        Assert.Contains("line 3, field 3: 'x2' is not a number", notNumber.Message);
        Assert.Contains("ends after 1", ReadError(dir, "2 2\nthe 1 2\n").Message);
        Assert.Contains("line 3: more vectors", ReadError(dir, "1 2\nthe 1 2\nof 3 4\n").Message);
        var utf8 = ReadError(dir, [.. "1 2\n"u8, 0x63, 0x61, 0x66, 0xE9, .. " 1 2\n"u8]);
        Assert.Contains("line 2: the word is not valid UTF-8", utf8.Message);
        Assert.Contains("line 2", ReadError(dir, "the 1 2\nof 1 2 3\n").Message); // GloVe with a long vector
        Assert.Contains("empty", ReadError(dir, "").Message);
    }

    [Fact]
    public void MalformedBinaryFilesNameTheVector()
    {
        using var dir = new TempDirectory();
        byte[] good = [.. "2 2\nab "u8, .. BitConverter.GetBytes(1f), .. BitConverter.GetBytes(2f), (byte)'\n'];
        var truncated = ReadError(dir, [.. good, .. "cd "u8, .. BitConverter.GetBytes(1f)]);
        Assert.Contains("vector 2", truncated.Message);
        Assert.Contains("short vector", truncated.Message);
        Assert.Contains("ends after 1", ReadError(dir, good).Message);
        var utf8 = ReadError(dir, [.. "1 2\n"u8, 0xC3, 0x28, (byte)' ', .. BitConverter.GetBytes(1f), .. BitConverter.GetBytes(2f)]);
        Assert.Contains("vector 1", utf8.Message);
        Assert.Contains("not valid UTF-8", utf8.Message);
    }

    /// <summary>Found by the fuzzer (Fuzzing/WordVectorsFuzzTests): these were read, crashed or allocated gigabytes.</summary>
    [Fact]
    public void DamagedFilesFoundByFuzzingAreRefused()
    {
        using var dir = new TempDirectory();
        byte[] one = [.. BitConverter.GetBytes(1f), .. BitConverter.GetBytes(2f)];
        // A header announcing more vectors than the file can hold: refused without allocating room for them
        // (100 million: 2.4 GB; 2^32 vectors once overflowed the size check into an OverflowException, and a dimension
        // of a billion the layout detection's 4·dimension into an ArgumentOutOfRangeException).
        foreach (string header in new[] { "2 1000000000", "100000000 6", "4294967296 1", "9223372036854775807 6", "0 2147483647", "1 999999999999" })
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = ReadError(dir, [.. Encoding.ASCII.GetBytes(header + "\nab "), .. one, (byte)'\n']);
            Assert.Contains("header", e.Message);
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, header);
        }
        // A GloVe file with a long first line no longer reserves 1024 rows of it.
        string glove = "w" + string.Concat(Enumerable.Repeat(" 1", 4000)) + "\n";
        long start = GC.GetAllocatedBytesForCurrentThread();
        string path = dir.File("glove.txt");
        File.WriteAllText(path, glove);
        Assert.Equal(4000, WordVectorsFile.Read(path).Dimension);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - start < 4 << 20);
        // Non-finite values, text and binary.
        Assert.Contains("line 2, field 3: 'NaN' is not a finite number", ReadError(dir, "1 2\nthe 1 NaN\n").Message);
        Assert.Contains("line 1, field 2: '1e999' is not a finite number", ReadError(dir, "the 1e999 2\n").Message);
        var infinite = ReadError(dir, [.. "1 2\nab "u8, .. BitConverter.GetBytes(1f), .. BitConverter.GetBytes(float.PositiveInfinity), (byte)'\n']);
        Assert.Contains("value 2 of the vector of 'ab'", infinite.Message);
        // Binary: data after the announced vectors, and a line break inside a word (records out of step).
        Assert.Contains("more data after the 1 vectors", ReadError(dir, [.. "1 2\nab "u8, .. one, .. "\ncd "u8, .. one, (byte)'\n']).Message);
        Assert.Contains("holds a line break", ReadError(dir, [.. "2 2\nab "u8, .. one, .. "\nx\ncd "u8, .. one, (byte)'\n']).Message);
    }

    [Fact]
    public void WritingRefusesWordsWithWhiteSpaceAndReplacesAtomically()
    {
        using var dir = new TempDirectory();
        string path = dir.File("v.txt");
        Assert.Throws<RecurrentException>(() => WordVectorsFile.Write(path, new WordVectors(["new york"], [1f], 1), binary: false));
        Assert.False(File.Exists(path));
        WordVectorsFile.Write(path, new WordVectors(["a"], [1f], 1), binary: false);
        WordVectorsFile.Write(path, new WordVectors(["b"], [2f], 1), binary: false);
        Assert.Equal(["b"], WordVectorsFile.Read(path).Words);
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
