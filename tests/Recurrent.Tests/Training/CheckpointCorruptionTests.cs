using System.Buffers.Binary;
using System.Text;
using Recurrent.Data;
using Recurrent.Models;
using Recurrent.Tensors;
using Recurrent.Tests.Support;
using Recurrent.Training;
using Recurrent.Training.Checkpoints;

namespace Recurrent.Tests.Training;

/// <summary>Corruptions the fuzzer found or the issue reported, each as a plain regression test.</summary>
public class CheckpointCorruptionTests
{
    private static readonly string[] Words = ["<eos>", "naïve", "b", "c", "d", "e"];

    private static string Save(TempDirectory dir)
    {
        string path = dir.File("model.ckpt");
        var model = new LanguageModel(new LanguageModelConfig { VocabSize = Words.Length, HiddenSize = 4, NumLayers = 1, NumSteps = 2, BatchSize = 2 });
        ModelCheckpoint.Save(path, model, "word", new Dictionary<string, string> { [ModelCheckpoint.VocabularyKey] = new Vocabulary(Words).ToJson() });
        return path;
    }

    /// <summary>Rewrites the header text, keeping the length field right (the checksum covers the data only).</summary>
    private static void EditHeader(string path, Func<string, string> edit)
    {
        byte[] file = File.ReadAllBytes(path);
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        byte[] header = Encoding.UTF8.GetBytes(edit(Encoding.UTF8.GetString(file, 8, n)));
        var result = new byte[8 + header.Length + file.Length - 8 - n];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)header.Length);
        header.CopyTo(result, 8);
        file.AsSpan(8 + n).CopyTo(result.AsSpan(8 + header.Length));
        File.WriteAllBytes(path, result);
    }

    [Fact]
    public void InvalidUtf8InsideTheHeaderIsRefused()
    {
        using var dir = new TempDirectory();
        string path = Save(dir);
        byte[] file = File.ReadAllBytes(path);
        int at = file.AsSpan().IndexOf("na\u00efve"u8) + 2; // the first byte of ï (C3 AF)
        file[at] = 0xFF;
        File.WriteAllBytes(path, file);
        var e = Assert.Throws<RecurrentException>(() => CheckpointFile.Read(path));
        Assert.Equal($"Checkpoint '{path}' has a header that is not valid UTF-8: byte {at} of the file starts an invalid sequence.", e.Message);
    }

    [Theory]
    [InlineData("\"format\":\"", "\"format\":\"\\ud800")]                // in the header's own strings
    [InlineData("\"config\":\"", "\"\\udc00\":\"x\",\"config\":\"")]        // in a key
    [InlineData("[\\\"<eos>\\\"", "[\\\"\\\\udc00\\\"")]                   // inside the vocabulary's JSON text
    public void LoneSurrogateEscapesAreRefused(string find, string replace)
    {
        using var dir = new TempDirectory();
        string path = Save(dir);
        EditHeader(path, h => h.Contains(find) ? h.Replace(find, replace) : throw new InvalidOperationException($"'{find}' not in {h}"));
        var e = Assert.Throws<RecurrentException>(() => ModelCheckpoint.Load(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void NonFiniteWeightsAreRefusedEvenWithARightChecksum()
    {
        using var dir = new TempDirectory();
        string path = Save(dir);
        Checkpoint c = CheckpointFile.Read(path);
        var tensors = c.Tensors.Select(t => new NamedTensor(t.Name, t.Tensor.Clone())).ToList();
        tensors[1].Tensor[3] = float.NaN;
        CheckpointFile.Write(path, c.Metadata.ToDictionary(), tensors);
        var e = Assert.Throws<RecurrentException>(() => ModelCheckpoint.Load(path));
        Assert.Contains($"tensor '{tensors[1].Name}' holds NaN or infinite values", e.Message);
    }

    [Theory]
    [InlineData("\\\"hidden_size\\\": 4", "\\\"hidden_size\\\": 40000")]
    [InlineData("\\\"vocab_size\\\": 6", "\\\"vocab_size\\\": 60000000")]
    [InlineData("\\\"num_layers\\\": 1", "\\\"num_layers\\\": 5000")]
    public void AConfigLargerThanTheStoredWeightsIsRefusedBeforeAllocating(string find, string replace)
    {
        using var dir = new TempDirectory();
        string path = Save(dir);
        EditHeader(path, h => h.Contains(find) ? h.Replace(find, replace) : throw new InvalidOperationException($"'{find}' not in {h}"));
        _ = Assert.Throws<RecurrentException>(() => ModelCheckpoint.Load(path)); // JIT
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<RecurrentException>(() => ModelCheckpoint.Load(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("its config describes a model of", e.Message);
        Assert.True(allocated < 1 << 20, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public void AVocabularyOfTheWrongSizeIsRefused()
    {
        using var dir = new TempDirectory();
        string path = Save(dir);
        EditHeader(path, h => h.Replace(",\\\"e\\\"]", "]"));
        var e = Assert.Throws<RecurrentException>(() => ModelCheckpoint.Load(path));
        Assert.Contains("the vocabulary has 5 entries but the config's vocab_size is 6", e.Message);
    }
}
