using System.Diagnostics;
using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Recurrent.Data;
using Recurrent.Interop;
using Recurrent.Models;
using Recurrent.Tests.Support;
using Recurrent.Training;
using Xunit.Abstractions;

namespace Recurrent.Tests.Interop;

/// <summary>
/// Opt-in measurement: a trained word model's PTB test perplexity computed by ONNX Runtime on its exported graph,
/// beside ours, with the words per second of each (batch size 1, the state carried from the first word to the last,
/// chunks of the model's num_steps). Set RECURRENT_ONNX_PTB_CHECKPOINT to a word checkpoint and RECURRENT_PTB_DATA to
/// the folder of ptb.{train,valid,test}.txt; without them it is skipped. The two perplexities must agree within 0.01.
/// </summary>
public sealed class OnnxPtbPerplexityTests(ITestOutputHelper output)
{
    private static string? Checkpoint => Environment.GetEnvironmentVariable("RECURRENT_ONNX_PTB_CHECKPOINT");
    private static string? DataFolder => Environment.GetEnvironmentVariable("RECURRENT_PTB_DATA");

    public sealed class OptInFactAttribute : FactAttribute
    {
        public OptInFactAttribute()
        {
            if (string.IsNullOrEmpty(Checkpoint) || string.IsNullOrEmpty(DataFolder))
                Skip = "Opt-in measurement on real data: set RECURRENT_ONNX_PTB_CHECKPOINT (a word checkpoint) and RECURRENT_PTB_DATA (the PTB folder).";
        }
    }

    [OptInFact]
    public void Onnx_runtime_gives_our_test_perplexity()
    {
        LoadedCheckpoint loaded = ModelCheckpoint.Load(Checkpoint!);
        LanguageModel model = loaded.LanguageModel;
        int[] tokens = WordFile.ReadIds(CorpusFiles.Find(DataFolder!).Test, Vocabulary.FromJson(loaded.VocabularyJson));
        int steps = model.Config.NumSteps;

        var clock = Stopwatch.StartNew();
        (double ourLoss, long count) = LanguageModelTask.Evaluate(model, tokens, 1, steps);
        double ourSeconds = clock.Elapsed.TotalSeconds;

        using var dir = new TempDirectory();
        string path = dir.File("model.onnx");
        OnnxExport.Export(loaded, path, OnnxExportMode.Sequence);
        (double onnxLoss, long onnxCount, double onnxSeconds) = OnnxLoss(path, tokens, steps, model.Config);
        Assert.Equal(count, onnxCount);

        double ours = Math.Exp(ourLoss), onnx = Math.Exp(onnxLoss);
        int threads = global::Recurrent.Kernels.ComputeThreads.Count;
        output.WriteLine($"PTB test perplexity over {count:N0} words, batch size 1, chunks of {steps}:");
        output.WriteLine($"  Recurrent    {ours:F4}  {count / ourSeconds:N0} words/s ({threads} threads)");
        output.WriteLine($"  ONNX Runtime {onnx:F4}  {count / onnxSeconds:N0} words/s (default session options)");
        output.WriteLine($"  difference   {Math.Abs(ours - onnx):E3}");
        Assert.True(Math.Abs(ours - onnx) <= 0.01, $"perplexities differ: ours {ours:F4}, ONNX Runtime {onnx:F4}");
    }

    /// <summary>Mean cross-entropy of the stream through the exported graph, state fed back chunk after chunk (as <see cref="LanguageModelTask.Evaluate"/>).</summary>
    private static (double Loss, long Count, double Seconds) OnnxLoss(string path, int[] tokens, int steps, LanguageModelConfig c)
    {
        using var session = new InferenceSession(path);
        int layers = c.NumLayers, hidden = c.HiddenSize, vocabulary = c.VocabSize;
        bool lstm = c.Cell == CellKind.Lstm;
        var h = new DenseTensor<float>([layers, 1, hidden]);
        var cell = new DenseTensor<float>([layers, 1, hidden]);
        double loss = 0;
        long count = 0;
        var scratch = new float[vocabulary];
        var clock = Stopwatch.StartNew();
        int available = tokens.Length - 1;
        for (int start = 0; start < available; start += steps)
        {
            int n = Math.Min(steps, available - start);
            var input = new DenseTensor<long>([n, 1]);
            for (int t = 0; t < n; t++) input[t, 0] = tokens[start + t];
            var feeds = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("tokens", input), NamedOnnxValue.CreateFromTensor("state_h", h) };
            if (lstm) feeds.Add(NamedOnnxValue.CreateFromTensor("state_c", cell));
            using var results = session.Run(feeds);
            foreach (var r in results)
            {
                if (r.Name == "logits")
                {
                    ReadOnlySpan<float> logits = ((DenseTensor<float>)r.AsTensor<float>()).Buffer.Span;
                    for (int t = 0; t < n; t++)
                    {
                        // −log softmax(row)[target] = max + log Σ exp(row − max) − row[target], vectorised as our loss is.
                        ReadOnlySpan<float> row = logits.Slice(t * vocabulary, vocabulary);
                        float max = TensorPrimitives.Max(row);
                        TensorPrimitives.Subtract(row, max, scratch);
                        TensorPrimitives.Exp(scratch, scratch);
                        loss += max + Math.Log(TensorPrimitives.Sum<float>(scratch)) - row[tokens[start + t + 1]];
                    }
                }
                else if (r.Name == "state_h_out") h = (DenseTensor<float>)r.AsTensor<float>().Clone();
                else if (r.Name == "state_c_out") cell = (DenseTensor<float>)r.AsTensor<float>().Clone();
            }
            count += n;
        }
        return (loss / count, count, clock.Elapsed.TotalSeconds);
    }
}
