using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;

namespace Recurrent.Tests.Interop;

/// <summary>Runs an exported graph in ONNX Runtime and compares its outputs with ours.</summary>
internal sealed class OnnxRun : IDisposable
{
    private readonly InferenceSession _session;

    public OnnxRun(byte[] model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _session = new InferenceSession(model, options);
    }

    /// <summary>The graph's input names, in order.</summary>
    public IReadOnlyList<string> InputNames => _session.InputNames;

    /// <summary>Runs the graph; inputs are int64 (long[]), int32 (int[]) or float (float[]) arrays with their shapes.</summary>
    public Dictionary<string, (float[] Values, int[] Shape)> Run(params (string Name, Array Values, int[] Shape)[] inputs)
    {
        var values = new List<NamedOnnxValue>();
        foreach ((string name, Array data, int[] shape) in inputs)
            values.Add(data switch
            {
                long[] l => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(l, shape)),
                int[] i => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<int>(i, shape)),
                float[] f => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(f, shape)),
                _ => throw new ArgumentException($"Unsupported input type {data.GetType()}."),
            });
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = _session.Run(values);
        var outputs = new Dictionary<string, (float[], int[])>();
        foreach (DisposableNamedOnnxValue r in results)
        {
            Tensor<float> t = r.AsTensor<float>();
            outputs[r.Name] = (t.ToArray(), t.Dimensions.ToArray());
        }
        return outputs;
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>Largest absolute difference, asserted against a bound and kept for the report.</summary>
internal sealed class MaxDifference(ITestOutputHelper output, double bound = 1e-4)
{
    public double Max { get; private set; }

    public void Compare(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)expected[i] - actual[i]);
            Assert.False(double.IsNaN(d), $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
            Assert.True(d <= bound, $"{what}[{i}]: ours {expected[i]:R}, ONNX {actual[i]:R}, difference {d:E3} > {bound:E1}");
            Max = Math.Max(Max, d);
        }
    }

    public void Report(string what) => output.WriteLine($"{what}: largest absolute difference {Max:E3}");
}
