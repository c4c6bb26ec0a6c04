using System.Text.Json;
using Recurrent.Interop;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Tests.Support;
using Recurrent.Training;
using Xunit.Abstractions;

namespace Recurrent.Tests.Interop;

/// <summary>
/// PyTorch state dicts (made by Interop/PyTorch/make_fixtures.py, with PyTorch's own outputs computed in float64)
/// imported, saved as our checkpoints, loaded back and run: our outputs must be PyTorch's. Covers LSTM, GRU and RNN,
/// embedding and one-hot input, missing biases, word and char kinds, and classifiers with ragged lengths, both
/// directions, every head and both output kinds. Then the refusals.
/// </summary>
public sealed class PyTorchImportTests(ITestOutputHelper output)
{
    private const double Bound = 1e-5;

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Interop", "PyTorch", name);

    [Theory]
    [InlineData("word_lstm")]
    [InlineData("word_rnn_nobias")]
    [InlineData("char_gru_onehot")]
    public void Language_models_give_pytorchs_log_probabilities(string name)
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Fixture(name + ".json")));
        JsonElement c = json.RootElement;
        LanguageModel model = ImportAndReload(name, c).LanguageModel;
        RecurrentState state = model.CreateState(1);
        var probabilities = new float[model.Config.VocabSize];
        double max = 0;
        int t = 0;
        foreach (JsonElement token in c.GetProperty("tokens").EnumerateArray())
        {
            model.PredictNext([token.GetInt32()], state, probabilities);
            double[] expected = Doubles(c.GetProperty("log_probabilities")[t++]);
            for (int v = 0; v < expected.Length; v++) max = Math.Max(max, Check(expected[v], Math.Log(probabilities[v]), $"log p[{t - 1}, {v}]"));
        }
        for (int l = 0; l < model.Config.NumLayers; l++)
        {
            max = Math.Max(max, CheckAll(Doubles(c.GetProperty("h")[l]), state.Parts[l].Hidden.Span, $"h[{l}]"));
            if (c.TryGetProperty("c", out JsonElement cells)) max = Math.Max(max, CheckAll(Doubles(cells[l]), state.Parts[l].Cell!.Span, $"c[{l}]"));
        }
        output.WriteLine($"{name}: largest absolute difference from PyTorch {max:E3}");
    }

    [Theory]
    [InlineData("classifier_bilstm_mean")]
    [InlineData("classifier_bilstm_last")]
    [InlineData("classifier_gru_max_sigmoid")]
    [InlineData("classifier_bigru_bilast")]
    public void Classifiers_give_pytorchs_probabilities_on_ragged_batches(string name)
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Fixture(name + ".json")));
        JsonElement c = json.RootElement;
        LoadedCheckpoint loaded = ImportAndReload(name, c);
        var model = (SequenceClassifier)loaded.Model;
        int[][] rows = c.GetProperty("tokens").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
        int T = rows.Length, B = rows[0].Length, C = model.Config.Classes;
        int[] tokens = rows.SelectMany(r => r).ToArray(); // already time-major [T][B]
        int[] lengths = c.GetProperty("lengths").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var probabilities = new float[B * C];
        model.Evaluate(tokens, T, B, lengths, default, probabilities);
        double max = 0;
        for (int b = 0; b < B; b++) max = Math.Max(max, CheckAll(Doubles(c.GetProperty("probabilities")[b]), probabilities.AsSpan(b * C, C), $"p[{b}]"));
        Assert.Equal(c.GetProperty("labels").EnumerateArray().Select(l => l.GetString()), ClassifierCheckpoint.From(loaded).Labels);
        output.WriteLine($"{name}: largest absolute difference from PyTorch {max:E3}");
    }

    /// <summary>Imports the fixture, writes it as our checkpoint and loads that back, so the format round trip is tested too.</summary>
    private static LoadedCheckpoint ImportAndReload(string name, JsonElement c)
    {
        var options = new PyTorchImportOptions
        {
            Kind = c.GetProperty("kind").GetString()!,
            Vocabulary = c.GetProperty("vocabulary").EnumerateArray().Select(v => v.GetString()!).ToArray(),
            Labels = c.TryGetProperty("labels", out JsonElement labels) ? labels.EnumerateArray().Select(v => v.GetString()!).ToArray() : null,
            Head = c.GetProperty("options").TryGetProperty("head", out JsonElement head)
                ? Enum.Parse<ClassifierHead>(head.GetString()!.Replace("_", ""), ignoreCase: true) : ClassifierHead.Last,
        };
        PyTorchImportResult result = PyTorchImport.Import(Fixture(name + ".safetensors"), options);
        using var dir = new TempDirectory();
        string path = dir.File("imported.ckpt");
        result.Save(path);
        return ModelCheckpoint.Load(path);
    }

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static double Check(double expected, double actual, string what)
    {
        double d = Math.Abs(expected - actual);
        Assert.True(d <= Bound, $"{what}: PyTorch {expected:R}, ours {actual:R}, difference {d:E3}");
        return d;
    }

    private static double CheckAll(double[] expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        for (int i = 0; i < expected.Length; i++) max = Math.Max(max, Check(expected[i], actual[i], $"{what}[{i}]"));
        return max;
    }

    // Refusals: each names what is wrong and what to do.

    private static string Refusal(Action import) => Assert.Throws<RecurrentException>(import).Message;

    private static string[] Words(int n) => Enumerable.Range(0, n).Select(i => $"w{i}").ToArray();

    private static SafeTensorsWriter.Entry T(string name, params int[] shape) => new(name, shape, SafeTensorsWriter.Ramp(shape.Aggregate(1, (a, b) => a * b)));

    /// <summary>A word LSTM state dict (vocabulary 6, embedding 3, hidden 2) with extra entries.</summary>
    private static string WordModel(TempDirectory dir, params SafeTensorsWriter.Entry[] extra)
    {
        string path = dir.File("m.safetensors");
        SafeTensorsWriter.Write(path, [T("emb.weight", 6, 3), T("rnn.weight_ih_l0", 8, 3), T("rnn.weight_hh_l0", 8, 2), T("rnn.bias_ih_l0", 8), T("rnn.bias_hh_l0", 8),
            T("out.weight", 6, 2), T("out.bias", 6), .. extra]);
        return path;
    }

    [Fact]
    public void A_vocabulary_of_another_size_is_refused()
    {
        using var dir = new TempDirectory();
        string path = WordModel(dir);
        Assert.Contains("The vocabulary has 5 tokens but the model in", Refusal(() => PyTorchImport.Import(path, new() { Kind = "word", Vocabulary = Words(5) })));
        Assert.NotNull(PyTorchImport.Import(path, new() { Kind = "word", Vocabulary = Words(6) }).Model);
    }

    [Fact]
    public void Tensors_the_model_would_not_use_are_refused()
    {
        using var dir = new TempDirectory();
        string path = WordModel(dir, T("norm.weight", 2));
        string message = Refusal(() => PyTorchImport.Import(path, new() { Kind = "word", Vocabulary = Words(6) }));
        Assert.Contains("would not use: norm.weight [2]", message);
    }

    [Fact]
    public void Lstm_projections_and_bidirectional_language_models_are_refused()
    {
        using var dir = new TempDirectory();
        string path = WordModel(dir, T("rnn.weight_hr_l0", 1, 2));
        Assert.Contains("proj_size", Refusal(() => PyTorchImport.Import(path, new() { Kind = "word", Vocabulary = Words(6) })));

        string bi = dir.File("bi.safetensors");
        SafeTensorsWriter.Write(bi, T("emb.weight", 6, 3), T("rnn.weight_ih_l0", 8, 3), T("rnn.weight_hh_l0", 8, 2), T("rnn.weight_ih_l0_reverse", 8, 3),
            T("rnn.weight_hh_l0_reverse", 8, 2), T("out.weight", 6, 4), T("out.bias", 6));
        Assert.Contains("bidirectional LSTM: a language model reads left to right", Refusal(() => PyTorchImport.Import(bi, new() { Kind = "word", Vocabulary = Words(6) })));
    }

    [Fact]
    public void A_classifier_vocabulary_must_start_with_pad_and_unk()
    {
        using var dir = new TempDirectory();
        string path = dir.File("c.safetensors");
        SafeTensorsWriter.Write(path, T("embedding.weight", 5, 3), T("gru.weight_ih_l0", 6, 3), T("gru.weight_hh_l0", 6, 2), T("fc.weight", 3, 2), T("fc.bias", 3));
        Assert.Contains("must start with <pad> (id 0) and <unk> (id 1)", Refusal(() => PyTorchImport.Import(path, new() { Kind = "classifier", Vocabulary = Words(5) })));
        string[] vocabulary = ["<pad>", "<unk>", "a", "b", "c"];
        Assert.Contains("--labels names 2 classes", Refusal(() => PyTorchImport.Import(path, new() { Kind = "classifier", Vocabulary = vocabulary, Labels = ["x", "y"] })));
        var model = (SequenceClassifier)PyTorchImport.Import(path, new() { Kind = "classifier", Vocabulary = vocabulary }).Model;
        Assert.Equal(CellKind.Gru, model.Config.Cell);
        Assert.Equal(3, model.Config.Classes);
        Assert.Equal(0f, model.Parameters.Single(p => p.Name == "rnn.0.bias_ih").Value.Span.ToArray().Sum()); // no biases saved: zeros
    }

    [Fact]
    public void Ambiguous_modules_must_be_named()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        // Two linear layers read the 2 recurrent outputs: which one scores the vocabulary cannot be told from shapes.
        SafeTensorsWriter.Write(path, T("emb.weight", 6, 3), T("rnn.weight_ih_l0", 8, 3), T("rnn.weight_hh_l0", 8, 2),
            T("out.weight", 6, 2), T("out.bias", 6), T("aux.weight", 6, 2), T("aux.bias", 6));
        Assert.Contains("name the output one with --output", Refusal(() => PyTorchImport.Import(path, new() { Kind = "word", Vocabulary = Words(6) })));
        Assert.Contains("would not use: aux.weight [6, 2], aux.bias [6]", Refusal(() => PyTorchImport.Import(path, new() { Kind = "word", Vocabulary = Words(6), Output = "out" })));
    }
}
