using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Optimizers;
using Recurrent.Tensors;
using Recurrent.Training;

namespace Recurrent.Tests.Models;

public class MemoryEstimateTests
{
    public static TheoryData<CellKind, int, float, bool, bool, OptimizerKind> Configs => new()
    {
        { CellKind.Lstm, 2, 1f, false, false, OptimizerKind.Sgd },
        { CellKind.Lstm, 3, 0.5f, false, false, OptimizerKind.Adam },
        { CellKind.Lstm, 2, 0.5f, true, false, OptimizerKind.Momentum },
        { CellKind.Gru, 2, 0.8f, false, false, OptimizerKind.RmsProp },
        { CellKind.Rnn, 1, 1f, false, true, OptimizerKind.Adam },
        { CellKind.Lstm, 1, 0.7f, false, true, OptimizerKind.Sgd },
    };

    private static LanguageModelConfig Config(CellKind cell, int layers, float keep, bool variational, bool oneHot, OptimizerKind optimizer) => new()
    {
        Cell = cell, NumLayers = layers, KeepProb = keep, VariationalDropout = variational, OneHot = oneHot, Optimizer = optimizer,
        VocabSize = 300, HiddenSize = 96, EmbeddingSize = 40, NumSteps = 12, BatchSize = 10, Seed = 4,
    };

    /// <summary>Builds the model and its optimizer and trains two batches, as the trainer does.</summary>
    private static void BuildAndTrain(LanguageModelConfig config)
    {
        var model = new LanguageModel(config);
        Optimizer optimizer = config.TrainingSettings().CreateOptimizer();
        optimizer.EnsureState(model.Parameters);
        // Two batches of random tokens: each row needs NumSteps + 1 tokens per batch.
        int n = (2 * config.NumSteps + 1) * config.BatchSize;
        var random = new RandomGenerator(9);
        var tokens = new int[n];
        for (int i = 0; i < n; i++) tokens[i] = random.NextInt(config.VocabSize);
        var task = new LanguageModelTask("word", model, "[]", tokens, tokens);
        Trainer.Step(task, optimizer, 0, 0);
        Trainer.Step(task, optimizer, 0, 1);
    }

    /// <summary>
    /// The estimate against what building and training really allocates on this thread (the GEMM packing buffers
    /// are left out: they are per thread and were allocated by the warm-up).
    /// </summary>
    [Theory]
    [MemberData(nameof(Configs))]
    public void TheEstimateMatchesWhatTrainingAllocates(CellKind cell, int layers, float keep, bool variational, bool oneHot, OptimizerKind optimizer)
    {
        LanguageModelConfig config = Config(cell, layers, keep, variational, oneHot, optimizer);
        BuildAndTrain(config); // warm-up: this thread's GEMM buffers, JIT
        long before = GC.GetAllocatedBytesForCurrentThread();
        BuildAndTrain(config);
        long measured = GC.GetAllocatedBytesForCurrentThread() - before;

        MemoryEstimate estimate = MemoryEstimate.For(config);
        long counted = estimate.TotalBytes - estimate.WorkspaceBytes;
        Assert.Equal(new LanguageModel(config).ParameterCount, estimate.ParameterCount);
        // Object headers, lists and the optimizer's bookkeeping are not counted: a little above the estimate is expected,
        // a lot above means a buffer was missed, and below means one was counted that is not there.
        Assert.True(measured >= counted * 0.98 && measured <= counted * 1.05 + 64 * 1024,
            $"estimated {counted:N0} bytes ({estimate}), measured {measured:N0}");
    }

    [Fact]
    public void PartsFollowTheOptimizer()
    {
        var sgd = MemoryEstimate.For(new LanguageModelConfig { Optimizer = OptimizerKind.Sgd });
        var adam = MemoryEstimate.For(new LanguageModelConfig { Optimizer = OptimizerKind.Adam });
        Assert.Equal(0, sgd.OptimizerBytes);
        Assert.Equal(2 * adam.GradientBytes, adam.OptimizerBytes);
        Assert.Equal(sgd.GradientBytes, adam.GradientBytes);
        // PTB small: 10,000 × 200 embedding, 2 × (400 × 800 + 800) LSTM, 200 × 10,000 + 10,000 softmax.
        Assert.Equal(4_651_600, sgd.ParameterCount);
    }

    public static TheoryData<string, LanguageModelConfig, string> Absurd => new()
    {
        { "hidden 200000", new LanguageModelConfig { HiddenSize = 200_000 }, "rnn.0.weight [400,000 × 800,000]" },
        { "batch", new LanguageModelConfig { HiddenSize = 1000, BatchSize = 100_000_000 }, "the logits" },
        { "steps", new LanguageModelConfig { NumSteps = 1_000_000_000 }, "the logits" },
        { "vocabulary", new LanguageModelConfig { VocabSize = int.MaxValue }, "the logits" },
        { "embedding", new LanguageModelConfig { EmbeddingSize = 1_000_000_000 }, "embedding.weight" },
        { "layers", new LanguageModelConfig { NumLayers = 1_000_000, HiddenSize = 1000 }, "needs" },
    };

    /// <summary>Absurd sizes are refused by the constructor's first line: almost nothing is allocated before.</summary>
    [Theory]
    [MemberData(nameof(Absurd))]
    public void AbsurdSizesAreRefusedBeforeAllocation(string what, LanguageModelConfig config, string named)
    {
        _ = new LanguageModel(new LanguageModelConfig { VocabSize = 10, HiddenSize = 4, NumSteps = 2, BatchSize = 2 }); // JIT
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<RecurrentException>(() => new LanguageModel(config));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1 << 20, $"{what}: {allocated:N0} bytes allocated before the refusal");
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void TheRefusalGivesTheFigures()
    {
        var config = new LanguageModelConfig { HiddenSize = 15_000, NumLayers = 2, Optimizer = OptimizerKind.Adam, VocabSize = 10_000 };
        MemoryEstimate estimate = MemoryEstimate.For(config);
        var e = Assert.Throws<RecurrentException>(() => MemoryBudget.Require(estimate, 22_900_000_000, "MemAvailable in /proc/meminfo"));
        // Embedding 10,000 × 15,000, 2 × (30,000 × 60,000 + 60,000) LSTM, softmax 15,000 × 10,000 + 10,000:
        // 3,900,130,000 weights, 15.6 GB of floats, as many gradients and twice as much Adam state.
        Assert.Equal(3_900_130_000, estimate.ParameterCount);
        Assert.StartsWith($"This model needs {MemoryEstimate.Format(estimate.TotalBytes)} for its parameters, gradients, Adam state and activations; 22.9 GB are available (MemAvailable in /proc/meminfo).", e.Message);
        Assert.Contains("15.6 GB of parameters, 15.6 GB of gradients, 31.2 GB of Adam state", e.Message);
        MemoryBudget.Require(estimate, estimate.TotalBytes, "exactly enough"); // does not throw
    }

    [Theory]
    [InlineData("8G", 8L << 30)]
    [InlineData("512m", 512L << 20)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("2GB", 2_000_000_000)]
    [InlineData(" 100000 ", 100_000)]
    [InlineData("1T", 1L << 40)]
    public void SizesParse(string text, long bytes) => Assert.Equal(bytes, MemoryBudget.ParseSize(text, "--max-memory"));

    [Theory]
    [InlineData("")]
    [InlineData("8X")]
    [InlineData("-1G")]
    [InlineData("0")]
    [InlineData("G")]
    [InlineData("1e30")]
    [InlineData("99999999999T")]
    public void BadSizesAreRefused(string text) =>
        Assert.Contains("--max-memory", Assert.Throws<RecurrentException>(() => MemoryBudget.ParseSize(text, "--max-memory")).Message);

    [Fact]
    public void ProcAndCgroupFiles()
    {
        Assert.Equal(24_088_572L * 1024, MemoryBudget.ReadMemAvailable("MemTotal:       24683620 kB\nMemFree:        21000000 kB\nMemAvailable:   24088572 kB\n"));
        Assert.Null(MemoryBudget.ReadMemAvailable("MemTotal: 1 kB\n"));
        Assert.Null(MemoryBudget.ReadMemAvailable(null));
        Assert.Equal(6L << 30, MemoryBudget.Room("8589934592\n", "2147483648\n"));
        Assert.Null(MemoryBudget.Room("max\n", "123"));                     // cgroup v2 without a limit
        Assert.Null(MemoryBudget.Room("9223372036854771712\n", "123"));     // cgroup v1 without a limit
        Assert.Equal(0, MemoryBudget.Room("100", "200"));
        (long bytes, string source) = MemoryBudget.Available();
        Assert.True(bytes > 0, source);
    }

    [Fact]
    public void TensorShapesThatOverflowAreAClearError()
    {
        var e = Assert.Throws<RecurrentException>(() => new Tensor(400_000, 800_000));
        Assert.Contains("[400000, 800000]", e.Message);
        // Products that overflow a long on the way (2³¹ · 2³¹ · 2³¹) are caught too, and a zero dimension is fine.
        Assert.Throws<RecurrentException>(() => new Tensor(int.MaxValue, int.MaxValue, int.MaxValue));
        Assert.Equal(0, new Tensor(int.MaxValue, 0, int.MaxValue).Length);
        Assert.Throws<RecurrentException>(() => new Tensor(0).Resize(65536, 65536));
    }
}
