using System.Diagnostics;
using System.Text.Json;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Tests.Support;
using Recurrent.Training;
using Xunit.Abstractions;

namespace Recurrent.Tests.Interop;

/// <summary>
/// tools/numpy_checkpoint_step.py opens our checkpoints with numpy alone (the safetensors layout, its metadata and
/// checksum) and runs one step of the model in double precision: its state and next-token distribution must be ours.
/// </summary>
public sealed class NumpyCheckpointToolTests(ITestOutputHelper output)
{
    [PythonNumpyFact]
    public void One_lstm_step_in_numpy_matches_ours() => Compare(new LanguageModelConfig
    {
        VocabSize = 9, HiddenSize = 6, EmbeddingSize = 4, NumLayers = 2, Cell = CellKind.Lstm, ForgetBias = 0.5f, InitScale = 0.6f, Seed = 3,
    }, token: 4);

    [PythonNumpyFact]
    public void One_gru_step_with_one_hot_input_in_numpy_matches_ours() => Compare(new LanguageModelConfig
    {
        VocabSize = 7, HiddenSize = 5, NumLayers = 1, Cell = CellKind.Gru, OneHot = true, InitScale = 0.6f, Seed = 4,
    }, token: 6);

    private void Compare(LanguageModelConfig config, int token)
    {
        var model = new LanguageModel(config);
        using var dir = new TempDirectory();
        string path = dir.File("model.ckpt");
        string vocabulary = new global::Recurrent.Data.Vocabulary(Enumerable.Range(0, config.VocabSize).Select(i => $"w{i}")).ToJson();
        ModelCheckpoint.Save(path, model, "word", new Dictionary<string, string> { [ModelCheckpoint.VocabularyKey] = vocabulary });

        string tool = Path.Combine(AppContext.BaseDirectory, "tools", "numpy_checkpoint_step.py");
        var info = new ProcessStartInfo(PythonNumpyFactAttribute.Python, [tool, path, "--token", token.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process process = Process.Start(info)!;
        string stdout = process.StandardOutput.ReadToEnd(), stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"the tool failed ({process.ExitCode}): {stderr}");

        RecurrentState state = model.CreateState(1);
        var probabilities = new float[config.VocabSize];
        model.PredictNext([token], state, probabilities);
        using JsonDocument json = JsonDocument.Parse(stdout);
        double max = 0;
        max = Math.Max(max, Compare(json.RootElement.GetProperty("probabilities"), probabilities, "probabilities"));
        for (int l = 0; l < config.NumLayers; l++)
        {
            max = Math.Max(max, Compare(json.RootElement.GetProperty("h")[l], state.Parts[l].Hidden.Span, $"h[{l}]"));
            if (config.Cell == CellKind.Lstm) max = Math.Max(max, Compare(json.RootElement.GetProperty("c")[l], state.Parts[l].Cell!.Span, $"c[{l}]"));
        }
        output.WriteLine($"{config.Cell}: largest absolute difference between numpy (float64) and ours {max:E3}");
    }

    private static double Compare(JsonElement expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.GetArrayLength(), actual.Length);
        double max = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double d = Math.Abs(expected[i].GetDouble() - actual[i]);
            Assert.True(d <= 1e-5, $"{what}[{i}]: numpy {expected[i].GetDouble():R}, ours {actual[i]:R}");
            max = Math.Max(max, d);
        }
        return max;
    }
}
