using BenchmarkDotNet.Attributes;
using Recurrent.Layers;
using Recurrent.Losses;
using Recurrent.Optimizers;
using Recurrent.Tensors;

namespace Recurrent.Benchmarks;

/// <summary>
/// The PTB small hot spots outside the GEMMs: softmax cross-entropy with gradient over 20·20 = 400 rows of
/// 10000 logits, and one optimizer step over the 10000×200 softmax weight.
/// </summary>
[MemoryDiagnoser]
public class LossAndOptimizerBenchmarks
{
    private const int Rows = 400, Vocabulary = 10000, Hidden = 200;
    private readonly SoftmaxCrossEntropy _loss = new();
    private Tensor _logits = null!, _gradient = null!;
    private int[] _targets = null!;
    private Parameter[] _weight = null!;
    private readonly Sgd _sgd = new(1f);
    private readonly Adam _adam = new(1e-3f);

    [GlobalSetup]
    public void Setup()
    {
        var random = new RandomGenerator(1);
        _logits = new Tensor(Rows, Vocabulary);
        random.FillNormal(_logits.Span, 0, 2);
        _gradient = new Tensor(Rows, Vocabulary);
        _targets = new int[Rows];
        for (int i = 0; i < Rows; i++) _targets[i] = random.NextInt(Vocabulary);
        var p = new Parameter("softmax.weight", new Tensor(Hidden, Vocabulary));
        random.FillNormal(p.Gradient.Span, 0, 1e-3f);
        _weight = [p];
    }

    [Benchmark]
    public double SoftmaxCrossEntropyWithGradient() => _loss.Compute(_logits, _targets, gradient: _gradient, gradientScale: 1f / 20);

    [Benchmark]
    public double SoftmaxCrossEntropyLossOnly() => _loss.Compute(_logits, _targets);

    [Benchmark]
    public double ClipByGlobalNorm() => GradientClipping.GlobalNorm(_weight);

    [Benchmark]
    public void SgdStep() => _sgd.Step(_weight);

    [Benchmark]
    public void AdamStep() => _adam.Step(_weight);
}
