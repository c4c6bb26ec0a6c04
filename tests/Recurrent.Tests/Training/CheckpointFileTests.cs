using Recurrent.Tests.Support;
using System.Buffers.Binary;
using System.Collections;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Recurrent.Tensors;
using Recurrent.Training.Checkpoints;

namespace Recurrent.Tests.Training;

public class CheckpointFileTests
{
    private static Tensor Random(int seed, params int[] shape)
    {
        var rng = new System.Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)(rng.NextDouble() * 2 - 1);
        return t;
    }

    private static List<NamedTensor> SampleTensors() =>
    [
        new("embedding.weight", Random(1, 7, 3)),
        new("lstm.0.weight", Random(2, 3, 4, 2)),
        new("empty", new Tensor(0, 5)),
        new("softmax.bias", Random(3, 7)),
    ];

    private static readonly Dictionary<string, string> SampleMetadata = new()
    {
        ["config"] = "{\"hidden\": 200, \"layers\": 2}",
        ["vocabulary"] = "[\"<eos>\", \"the\", \"naïve\", \"\\\"q\\\"\"]",
        ["training_state"] = "{\"epoch\": 3}",
    };

    [Fact]
    public void RoundTrip()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.ckpt");
        var tensors = SampleTensors();
        CheckpointFile.Write(path, SampleMetadata, tensors);
        Checkpoint c = CheckpointFile.Read(path);

        Assert.Equal(SampleMetadata, c.Metadata);
        Assert.Equal(tensors.Select(t => t.Name), c.Tensors.Select(t => t.Name));
        foreach (NamedTensor t in tensors)
        {
            Tensor back = c.GetTensor(t.Name);
            Assert.Equal(t.Tensor.Shape, back.Shape);
            Assert.Equal(t.Tensor.Span.ToArray(), back.Span.ToArray());
        }
        Assert.Equal("{\"epoch\": 3}", c.GetMetadata("training_state"));
        Assert.Contains("model.ckpt", Assert.Throws<RecurrentException>(() => c.GetTensor("nope")).Message);
        Assert.Throws<RecurrentException>(() => c.GetMetadata("nope"));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    /// <summary>Parses the file by the safetensors specification alone, independently of <see cref="CheckpointFile.Read"/>.</summary>
    [Fact]
    public void FileFollowsTheSafetensorsLayout()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        var tensors = SampleTensors();
        CheckpointFile.Write(path, SampleMetadata, tensors);

        byte[] file = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0, n % 8);
        using var doc = JsonDocument.Parse(file.AsMemory(8, (int)n));
        byte[] data = file[(8 + (int)n)..];

        JsonElement meta = doc.RootElement.GetProperty("__metadata__");
        Assert.Equal("recurrent-checkpoint", meta.GetProperty("format").GetString());
        Assert.Equal("1", meta.GetProperty("format_version").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), meta.GetProperty("data_sha256").GetString());
        foreach (var (k, v) in SampleMetadata) Assert.Equal(v, meta.GetProperty(k).GetString());

        long expectedBegin = 0;
        var names = doc.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").Select(p => p.Name).ToList();
        Assert.Equal(tensors.Select(t => t.Name), names);
        foreach (NamedTensor t in tensors)
        {
            JsonElement e = doc.RootElement.GetProperty(t.Name);
            Assert.Equal("F32", e.GetProperty("dtype").GetString());
            Assert.Equal(t.Tensor.Shape, e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray());
            long begin = e.GetProperty("data_offsets")[0].GetInt64(), end = e.GetProperty("data_offsets")[1].GetInt64();
            Assert.Equal(expectedBegin, begin);
            Assert.Equal(begin + 4L * t.Tensor.Length, end);
            for (int i = 0; i < t.Tensor.Length; i++)
                Assert.Equal(t.Tensor[i], BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan((int)begin + 4 * i)));
            expectedBegin = end;
        }
        Assert.Equal(expectedBegin, data.Length);
    }

    [Fact]
    public void OverwritesAtomicallyAndFailedWriteKeepsOldFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.ckpt");
        CheckpointFile.Write(path, SampleMetadata, SampleTensors());
        byte[] good = File.ReadAllBytes(path);

        // The header pass reads each element once; the data pass fails on the third tensor, mid-way through the file.
        var failing = new FailingList(SampleTensors(), failAtAccess: SampleTensors().Count + 3);
        var e = Assert.Throws<InvalidOperationException>(() => CheckpointFile.Write(path, new Dictionary<string, string>(), failing));
        Assert.Equal("boom", e.Message);
        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));

        // A successful write replaces the file.
        CheckpointFile.Write(path, new Dictionary<string, string> { ["x"] = "y" }, [new NamedTensor("w", Random(9, 2))]);
        Assert.Equal("y", CheckpointFile.Read(path).GetMetadata("x"));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void RejectsReservedKeysAndBadNames()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.ckpt");
        Assert.Throws<ArgumentException>(() => CheckpointFile.Write(path, new Dictionary<string, string> { ["format"] = "x" }, []));
        Assert.Throws<ArgumentException>(() => CheckpointFile.Write(path, SampleMetadata, [new("a", new Tensor(1)), new("a", new Tensor(1))]));
        Assert.Throws<ArgumentException>(() => CheckpointFile.Write(path, SampleMetadata, [new("__metadata__", new Tensor(1))]));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    private sealed class FailingList(List<NamedTensor> items, int failAtAccess) : IReadOnlyList<NamedTensor>
    {
        private int _accesses;

        public NamedTensor this[int index] =>
            ++_accesses == failAtAccess ? throw new InvalidOperationException("boom") : items[index];

        public int Count => items.Count;

        public IEnumerator<NamedTensor> GetEnumerator()
        {
            for (int i = 0; i < Count; i++) yield return this[i];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    // ---- corruption ----

    private static string WriteSample(TempDirectory dir)
    {
        string path = dir.File("model.ckpt");
        CheckpointFile.Write(path, SampleMetadata, SampleTensors());
        return path;
    }

    /// <summary>Replaces the header with <paramref name="edit"/>(header) and rewrites the length field to match.</summary>
    private static void EditHeader(string path, Func<string, string> edit)
    {
        byte[] file = File.ReadAllBytes(path);
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        string header = Encoding.UTF8.GetString(file, 8, n);
        byte[] newHeader = Encoding.UTF8.GetBytes(edit(header));
        var result = new byte[8 + newHeader.Length + file.Length - 8 - n];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)newHeader.Length);
        newHeader.CopyTo(result, 8);
        file.AsSpan(8 + n).CopyTo(result.AsSpan(8 + newHeader.Length));
        File.WriteAllBytes(path, result);
    }

    private static string ReadFails(string path)
    {
        var e = Assert.Throws<RecurrentException>(() => CheckpointFile.Read(path));
        Assert.Contains(path, e.Message);
        return e.Message;
    }

    [Fact]
    public void NotACheckpoint()
    {
        using var dir = new TempDirectory();
        string text = dir.File("notes.txt");
        File.WriteAllText(text, "hello, this is not a checkpoint at all");
        Assert.Contains("not a recurrent-checkpoint", ReadFails(text));

        string tiny = dir.File("tiny");
        File.WriteAllBytes(tiny, [1, 2, 3]);
        Assert.Contains("8-byte", ReadFails(tiny));

        // A valid safetensors file without our metadata.
        string plain = WriteSample(dir);
        EditHeader(plain, h => h.Replace("\"format\":\"recurrent-checkpoint\"", "\"format\":\"pt\""));
        Assert.Contains("format is 'pt'", ReadFails(plain));
        EditHeader(plain, h => h.Replace("\"__metadata__\"", "\"__other__\""));
        Assert.Contains("__metadata__", ReadFails(plain));

        Assert.Contains("Cannot open", ReadFails(dir.File("missing.ckpt")));
    }

    [Fact]
    public void OtherFormatVersion()
    {
        using var dir = new TempDirectory();
        string path = WriteSample(dir);
        EditHeader(path, h => h.Replace("\"format_version\":\"1\"", "\"format_version\":\"2\""));
        string message = ReadFails(path);
        Assert.Contains("version '2'", message);
        Assert.Contains("reads version 1", message);
    }

    [Theory]
    [InlineData(1)]       // last data byte
    [InlineData(100)]     // well inside the data
    public void TruncatedData(int cut)
    {
        using var dir = new TempDirectory();
        string path = WriteSample(dir);
        byte[] file = File.ReadAllBytes(path);
        File.WriteAllBytes(path, file[..^cut]);
        Assert.Contains("truncated", ReadFails(path));
    }

    [Fact]
    public void TruncatedHeader()
    {
        using var dir = new TempDirectory();
        string path = WriteSample(dir);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..40]);
        Assert.Contains("truncated", ReadFails(path));
    }

    [Fact]
    public void TrailingBytes()
    {
        using var dir = new TempDirectory();
        string path = WriteSample(dir);
        File.AppendAllText(path, "xx");
        Assert.Contains("unexpected bytes", ReadFails(path));
    }

    [Fact]
    public void HeaderNotJson()
    {
        using var dir = new TempDirectory();
        string path = WriteSample(dir);
        EditHeader(path, h => h.Replace("\"dtype\":\"F32\",", "\"dtype\":\"F32\""));
        Assert.Contains("not valid JSON", ReadFails(path));
    }

    [Fact]
    public void OffsetsOutOfRange()
    {
        using var dir = new TempDirectory();
        string path = WriteSample(dir);
        // embedding.weight is 7x3 floats = 84 bytes at [0, 84].
        string original = "\"data_offsets\":[0,84]";
        Assert.Contains(original, EditAndReturn(path, h => h.Replace(original, "\"data_offsets\":[0,88]")));
        Assert.Contains("needs 84 bytes", ReadFails(path));

        path = WriteSample(dir);
        EditHeader(path, h => h.Replace("\"shape\":[7,3],\"data_offsets\":[0,84]", "\"shape\":[7,3],\"data_offsets\":[4,88]"));
        Assert.Contains("contiguous", ReadFails(path));

        path = WriteSample(dir);
        EditHeader(path, h => h.Replace("\"data_offsets\":[0,84]", "\"data_offsets\":[0,-84]"));
        Assert.Contains("non-negative", ReadFails(path));

        path = WriteSample(dir);
        EditHeader(path, h => h.Replace("\"dtype\":\"F32\",\"shape\":[7,3]", "\"dtype\":\"F16\",\"shape\":[7,3]"));
        Assert.Contains("F16", ReadFails(path));
    }

    private static string EditAndReturn(string path, Func<string, string> edit)
    {
        string seen = "";
        EditHeader(path, h => { seen = h; return edit(h); });
        return seen;
    }

    [Fact]
    public void DataChecksumMismatch()
    {
        using var dir = new TempDirectory();
        string path = WriteSample(dir);
        byte[] file = File.ReadAllBytes(path);
        file[^5] ^= 0x01;     // one bit of the last tensor
        File.WriteAllBytes(path, file);
        string message = ReadFails(path);
        Assert.Contains("SHA-256", message);
        Assert.Contains("corrupt", message);
    }
}
