using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Recurrent.Data;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Optimizers;
using Recurrent.Tensors;
using Recurrent.Tests.Support;
using Recurrent.Training;
using Recurrent.Training.Checkpoints;
using Xunit.Abstractions;

namespace Recurrent.Tests.Fuzzing;

/// <summary>
/// Every reader of user files under <see cref="ReaderFuzzer"/>: a few hundred seeded corruptions each in the default
/// run; <c>RECURRENT_FUZZ_CASES=100000 dotnet test … --filter ReaderFuzzTests</c> for the long mode. A read that
/// succeeds is checked against an oracle written independently of the reader.
/// </summary>
public class ReaderFuzzTests(ITestOutputHelper output)
{
    /// <summary>The long mode stops each reader after this long, whatever RECURRENT_FUZZ_CASES says.</summary>
    private static readonly TimeSpan LongModeTimeBox = TimeSpan.FromMinutes(5);

    private void RunAndReport(ReaderFuzzer fuzzer)
    {
        ReaderFuzzer.Report report = fuzzer.Run();
        output.WriteLine(report.ToString());
        if (ReaderFuzzer.LongMode)
            File.AppendAllText(Path.Combine(Path.GetTempPath(), "recurrent-fuzz-report.txt"), report + "\n");
        report.AssertClean();
    }

    private static ReaderFuzzer Fuzzer(string name, IReadOnlyList<byte[]> examples, Func<string, object?> read, Action<byte[], object?> validate,
        string fileName, Action<string>? prepare = null) =>
        new(name, examples, read)
        {
            Validate = validate,
            FileName = fileName,
            Prepare = prepare,
            TimeBox = ReaderFuzzer.LongMode ? ReaderFuzzer.LongModeBox(LongModeTimeBox) : null,
        };

    // ---- Checkpoints ----

    private static readonly string[] Words = ["<eos>", "<unk>", "the", "naïve", "\"q\"", "w5", "w6", "w7", "w8", "w9", "日本", "w11"];

    /// <summary>A training checkpoint of a word LSTM (Adam slots, carried state, position) and a weights-only one-hot GRU char model.</summary>
    private static byte[][] CheckpointExamples()
    {
        using var dir = new TempDirectory();
        var word = new LanguageModel(new LanguageModelConfig
        {
            VocabSize = Words.Length, HiddenSize = 6, EmbeddingSize = 5, NumLayers = 2, NumSteps = 3, BatchSize = 2, KeepProb = 0.9f, Optimizer = OptimizerKind.Adam, Seed = 7,
        });
        Optimizer adam = word.Config.TrainingSettings().CreateOptimizer();
        adam.EnsureState(word.Parameters);
        var task = new LanguageModelTask("word", word, new Vocabulary(Words).ToJson(), [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4]);
        Trainer.Step(task, adam, 0, 0);
        var position = new TrainingPosition { Epoch = 1, Epochs = 2, Batch = 3, Step = 7, EpochLoss = 12.5, EpochCount = 18, EpochItems = 18, EpochSeconds = 0.25, BestValue = 2.25, BestEpoch = 1 };
        position.History.Add(new EpochReport(1, 0.001f, 2.4, 2.25, 1000, 2000, 1.5));
        ModelCheckpoint.Save(dir.File("word.ckpt"), word, "word", task.CheckpointMetadata, position, adam, task.CarriedState);

        var chars = new CharVocabulary(new Vocabulary(["\n", " ", "a", "b", "é", "😀"]));
        var charModel = new LanguageModel(new LanguageModelConfig { VocabSize = chars.Count, HiddenSize = 4, NumLayers = 1, NumSteps = 2, BatchSize = 1, Cell = CellKind.Gru, OneHot = true, Seed = 3 });
        ModelCheckpoint.Save(dir.File("char.ckpt"), charModel, "char", new Dictionary<string, string> { [ModelCheckpoint.VocabularyKey] = chars.ToJson() });
        return [File.ReadAllBytes(dir.File("word.ckpt")), File.ReadAllBytes(dir.File("char.ckpt"))];
    }

    [Fact]
    public void CheckpointFileRead()
    {
        var fuzzer = Fuzzer("checkpoint-file", CheckpointExamples(), CheckpointFile.Read, (bytes, result) =>
        {
            var checkpoint = (Checkpoint)result!;
            var tensors = SafetensorsOracle(bytes);
            Assert.Equal(tensors.Count, checkpoint.Tensors.Count);
            foreach (var (name, shape, data) in tensors)
            {
                Tensor t = checkpoint.GetTensor(name);
                Assert.Equal(shape, t.Shape);
                Assert.True(data.AsSpan().SequenceEqual(t.Span), $"tensor '{name}' was not read as stored");
            }
        }, "model.ckpt").With(ReaderFuzzer.SafetensorsMutations);
        RunAndReport(fuzzer);
    }

    [Fact]
    public void ModelCheckpointLoad()
    {
        var fuzzer = Fuzzer("model-checkpoint", CheckpointExamples(), ModelCheckpoint.Load, (bytes, result) =>
        {
            var loaded = (LoadedCheckpoint)result!;
            var tensors = SafetensorsOracle(bytes).ToDictionary(t => t.Name);
            LanguageModelConfig config = loaded.LanguageModel.Config;
            config.Validate();
            // What the commands will do with it must work: a vocabulary of the model's size, finite weights as stored.
            Assert.Equal(config.VocabSize, Vocabulary.FromJson(loaded.VocabularyJson).Count);
            if (loaded.Kind == "char") Assert.Equal(config.VocabSize, CharVocabulary.FromJson(loaded.VocabularyJson).Count);
            foreach (Parameter p in loaded.LanguageModel.Parameters)
            {
                Assert.True(p.Value.Span.SequenceEqual(tensors[p.Name].Data), $"'{p.Name}' differs from the file");
                Assert.True(System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(p.Value.Span), $"'{p.Name}' holds a non-finite value");
            }
            if (loaded.Position is { } position)
            {
                Assert.InRange(position.Epoch, 0, config.MaxMaxEpoch);
                Assert.True(position.Batch >= 0 && position.Step >= 0 && position.EpochCount >= 0, "negative counters");
                Assert.All(position.History, e => Assert.NotNull(e));
                // Resuming restores the optimizer slots and the carried state, which loading the weights does not
                // need: a damaged slot may be refused there instead, as long as it is refused cleanly.
                Optimizer optimizer = config.TrainingSettings().CreateOptimizer();
                try
                {
                    ModelCheckpoint.RestoreTraining(loaded, optimizer, loaded.Model.TrainableParameters, LanguageModel.StateTensors(loaded.LanguageModel.CreateState(config.BatchSize)));
                }
                catch (RecurrentException e)
                {
                    Assert.Contains(loaded.Path, e.Message);
                }
            }
            // And run.
            var probabilities = new float[config.VocabSize];
            loaded.LanguageModel.PredictNext([0, 1], loaded.LanguageModel.CreateState(1), probabilities);
        }, "model.ckpt").With(ReaderFuzzer.SafetensorsMutations);
        RunAndReport(fuzzer);
    }

    /// <summary>
    /// An independent reading of the safetensors layout and of our format's rules (docs/checkpoint-format.md): the
    /// file must satisfy it for a successful read to be right. Returns the tensors as stored.
    /// </summary>
    private static List<(string Name, int[] Shape, float[] Data)> SafetensorsOracle(byte[] file)
    {
        Assert.True(file.Length >= 8);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.True(n <= (ulong)file.Length - 8, "header longer than the file");
        ReadOnlySpan<byte> header = file.AsSpan(8, (int)n);
        Assert.True(Utf8.IsValid(header), "header is not UTF-8");
        using JsonDocument doc = JsonDocument.Parse(file.AsMemory(8, (int)n));
        JsonElement meta = doc.RootElement.GetProperty("__metadata__");
        Assert.Equal("recurrent-checkpoint", meta.GetProperty("format").GetString());
        Assert.Equal("1", meta.GetProperty("format_version").GetString());
        foreach (JsonProperty p in meta.EnumerateObject()) Assert.Equal(JsonValueKind.String, p.Value.ValueKind);
        var tensors = new List<(string, int[], float[], long Begin, long End)>();
        foreach (JsonProperty p in doc.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__") continue;
            Assert.Equal("F32", p.Value.GetProperty("dtype").GetString());
            int[] shape = p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            Assert.NotEmpty(shape);
            long count = shape.Aggregate(1L, (a, d) => a * d);
            long begin = p.Value.GetProperty("data_offsets")[0].GetInt64(), end = p.Value.GetProperty("data_offsets")[1].GetInt64();
            Assert.Equal(count * 4, end - begin);
            var data = new float[count];
            for (long i = 0; i < count; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan((int)(8 + (long)n + begin + 4 * i)));
            tensors.Add((p.Name, shape, data, begin, end));
        }
        long expected = 0;
        foreach (var t in tensors.OrderBy(t => t.Begin))
        {
            Assert.Equal(expected, t.Begin);
            expected = t.End;
        }
        Assert.Equal(8 + (long)n + expected, file.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(file.AsSpan(8 + (int)n))), meta.GetProperty("data_sha256").GetString()!.ToLowerInvariant());
        return tensors.Select(t => (t.Item1, t.Item2, t.Item3)).ToList();
    }

    // ---- Word corpora ----

    private static byte[] WordText(int lines, int seed)
    {
        var random = new RandomGenerator((ulong)seed);
        var text = new StringBuilder();
        for (int l = 0; l < lines; l++)
        {
            text.Append(' ');
            int length = 2 + random.NextInt(9);
            for (int w = 0; w < length; w++) text.Append(random.NextInt(12) == 0 ? "<unk>" : Words[2 + random.NextInt(Words.Length - 2)]).Append(' ');
            text.Append(l % 17 == 3 ? "\r\n" : "\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The tokens of a word file by the documented rule, computed independently of <see cref="WordFile"/>, or null when the bytes are not text.</summary>
    private static List<string>? WordOracle(byte[] bytes)
    {
        ReadOnlySpan<byte> body = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes.AsSpan(3) : bytes;
        if (!Utf8.IsValid(body) || body.Contains((byte)0)) return null;
        string text = Encoding.UTF8.GetString(body);
        int controls = text.Count(c => (c < 0x20 && c is not ('\t' or '\n' or '\v' or '\f' or '\r')) || c == 0x7F);
        if (controls > Utf8TextFile.MaxControlFraction * text.Length) return null;
        var tokens = new List<string>();
        string[] lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            bool last = i == lines.Length - 1;
            if (last && lines[i].Length == 0) break; // the text ended with a line break
            tokens.AddRange(lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            tokens.Add(Vocabulary.EndOfSentence);
        }
        return tokens;
    }

    [Fact]
    public void WordCorpusLoad()
    {
        var fuzzer = Fuzzer("word-corpus", [WordText(120, 1), WordText(3, 2)], path => WordCorpus.Load(Path.GetDirectoryName(path)!), (bytes, result) =>
        {
            var corpus = (WordCorpus)result!;
            List<string>? tokens = WordOracle(bytes);
            Assert.True(tokens is not null, "the file is not UTF-8 text but was read");
            Assert.Equal(tokens, corpus.Train.Select(corpus.Vocabulary.WordOf));
            Assert.Equal(tokens.Distinct().Count(), corpus.Vocabulary.Count);
        }, "ptb.train.txt", prepare: dir =>
        {
            File.WriteAllBytes(Path.Combine(dir, "ptb.valid.txt"), WordText(20, 3));
            File.WriteAllBytes(Path.Combine(dir, "ptb.test.txt"), WordText(20, 4));
        });
        RunAndReport(fuzzer);
    }

    [Fact]
    public void WordFileWithAFixedVocabulary()
    {
        // No <unk>: a word the corruption made up must be named in the error.
        var vocabulary = new Vocabulary(Words.Where(w => w != "<unk>"));
        byte[] example = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(WordText(60, 5)).Replace("<unk>", "the"));
        var fuzzer = Fuzzer("word-file-ids", [example], path => WordFile.ReadIds(path, vocabulary), (bytes, result) =>
        {
            var ids = (int[])result!;
            List<string>? tokens = WordOracle(bytes);
            Assert.True(tokens is not null, "the file is not UTF-8 text but was read");
            Assert.Equal(tokens, ids.Select(vocabulary.WordOf));
        }, "valid.txt");
        RunAndReport(fuzzer);
    }

    // ---- Character corpora ----

    [Fact]
    public void CharCorpusLoad()
    {
        byte[] english = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("To be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer\n", 6)));
        byte[] mixed = Encoding.UTF8.GetBytes("\uFEFFnaïve café — 日本語 😀 tab\there\r\nend");
        var fuzzer = Fuzzer("char-corpus", [english, mixed], path => CharCorpus.Load(path), (bytes, result) =>
        {
            var corpus = (CharCorpus)result!;
            ReadOnlySpan<byte> body = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes.AsSpan(3) : bytes;
            Assert.True(Utf8.IsValid(body) && !body.Contains((byte)0), "the file is not UTF-8 text but was read");
            string text = Encoding.UTF8.GetString(body);
            int[] all = [.. corpus.Train, .. corpus.Valid];
            Assert.Equal(text, corpus.Vocabulary.Decode(all));
        }, "input.txt");
        RunAndReport(fuzzer);
    }
}
