using System.Globalization;
using Recurrent.Kernels;

namespace Recurrent.Models;

/// <summary>
/// The memory a <see cref="LanguageModel"/> takes to train, worked out from its <see cref="LanguageModelConfig"/>
/// alone, before anything is allocated: what <see cref="MemoryBudget.Require(MemoryEstimate)"/> compares with what the machine has.
/// </summary>
/// <remarks>
/// <para>Counted from the buffers the code allocates, in floats of 4 bytes (N = num_steps · batch_size rows,
/// E = the embedding width, or V with one-hot input, H = hidden size, V = vocabulary, L = layers, I = a layer's
/// input width: E for the first, H above it):</para>
/// <list type="bullet">
/// <item><b>Parameters</b>: the embedding V·E (and its two int tables of V), per layer LSTM (I+H)·4H + 4H,
/// GRU I·3H + H·3H + 2·3H, RNN (I+H)·H + H, and the softmax H·V + V.</item>
/// <item><b>Gradients</b>: as many floats as the parameters (every <see cref="Layers.Parameter"/> owns one).</item>
/// <item><b>Optimizer state</b>: slots per weight: SGD 0, momentum 1, Adam 2 (m, v), RMSProp 1 (the mean square;
/// the momentum slot is not kept at μ = 0, as the trainer builds it).</item>
/// <item><b>Activations</b> of one training batch: the model's N·E input (and with dropout its copy and mask), N·H top
/// output (and with dropout its copy and mask), N·V logits (overwritten by their gradient), N·H and N·E gradients;
/// the stack's (L−1)·N·H layer outputs (and masks) and up to two N·H gradient buffers; per layer the cache its
/// backward pass reads: LSTM N·I input copy, N·4H gates, 2·(T+1)·B·H hidden and cell states, N·H tanh(c), N·4H gate
/// gradients and the two packed copies of W_h (when num_steps ≥ 4); GRU N·I, N·3H gates, N·H candidates,
/// (T+1)·B·H states and 2·N·3H projection gradients; RNN N·I, (T+1)·B·H and N·H; and the carried states.</item>
/// <item><b>Workspace</b>: the GEMM packing buffers, about 4.7 MB per compute thread.</item>
/// </list>
/// <para>Not counted: the token streams of the corpus (the caller holds those already) and a checkpoint held beside
/// the model while resuming. The sums are done in <c>double</c> (exact for integers below 2⁵³, about 9 PB) and
/// saturate at <see cref="long.MaxValue"/>, so an absurd configuration gives an absurd figure rather than an overflow.</para>
/// </remarks>
internal sealed record MemoryEstimate
{
    /// <summary>Bytes of the weights.</summary>
    public required long ParameterBytes { get; init; }

    /// <summary>Bytes of the gradients (one per weight).</summary>
    public required long GradientBytes { get; init; }

    /// <summary>Bytes of the optimizer's per-weight slots.</summary>
    public required long OptimizerBytes { get; init; }

    /// <summary>The optimizer's name, for messages.</summary>
    public required string OptimizerName { get; init; }

    /// <summary>Bytes of one training batch's forward caches and backward buffers.</summary>
    public required long ActivationBytes { get; init; }

    /// <summary>Bytes of the matrix-multiply packing buffers.</summary>
    public required long WorkspaceBytes { get; init; }

    /// <summary>Trainable weights.</summary>
    public required long ParameterCount { get; init; }

    /// <summary>The largest single buffer, in elements: a .NET array holds at most <see cref="Array.MaxLength"/>.</summary>
    public required long LargestTensorElements { get; init; }

    /// <summary>What the largest buffer is, with its shape (for messages).</summary>
    public required string LargestTensor { get; init; }

    /// <summary>The batch the activations were counted for, "batch 20 × 35 steps".</summary>
    public required string Batch { get; init; }

    /// <summary>Everything together.</summary>
    public long TotalBytes => Saturate((double)ParameterBytes + GradientBytes + OptimizerBytes + ActivationBytes + WorkspaceBytes);

    private static long Saturate(double value) => value >= long.MaxValue ? long.MaxValue : (long)value;

    /// <summary>The memory to train a model of <paramref name="config"/> (which need not be valid: sizes are taken as they are, at least 1).</summary>
    public static MemoryEstimate For(LanguageModelConfig config)
    {
        double v = Math.Max(config.VocabSize, 1), h = Math.Max(config.HiddenSize, 1), layers = Math.Max(config.NumLayers, 1);
        double t = Math.Max(config.NumSteps, 1), b = Math.Max(config.BatchSize, 1);
        double e = config.OneHot ? v : config.EmbeddingSize > 0 ? config.EmbeddingSize : h;
        double n = t * b;
        bool dropout = config.KeepProb < 1f;
        double mask(double width) => config.VariationalDropout ? b * width : n * width;
        var largest = new Largest();

        // Parameters (floats), and the embedding's two int tables.
        double parameters = 0, otherBytes = 0;
        if (!config.OneHot)
        {
            parameters += largest.Add("embedding.weight", v, e);
            otherBytes += 2 * v * sizeof(int);
        }
        // Layers above the first are alike: count the first and one above it (no loop, so a million layers cost nothing).
        double layerParameters(double i, string name) => config.Cell switch
        {
            CellKind.Gru => largest.Add(name + ".weight_ih", i, 3 * h) + largest.Add(name + ".weight_hh", h, 3 * h) + 2 * 3 * h,
            CellKind.Rnn => largest.Add(name + ".weight", i + h, h) + h,
            _ => largest.Add(name + ".weight", i + h, 4 * h) + 4 * h,
        };
        parameters += layerParameters(e, "rnn.0") + (layers > 1 ? (layers - 1) * layerParameters(h, "rnn.1") : 0);
        parameters += largest.Add("softmax.weight", h, v) + v;

        int slots = config.Optimizer switch
        {
            OptimizerKind.Sgd => 0,
            OptimizerKind.Momentum => 1,
            OptimizerKind.Adam => 2,
            OptimizerKind.RmsProp => 1,
            _ => 2,
        };

        // Activations of one training batch (floats).
        double activations = largest.Add("the embedded input", n, e);
        if (dropout && !config.OneHot) activations += n * e + mask(e);
        activations += n * h;                                        // top layer output
        if (dropout) activations += n * h + mask(h);
        activations += largest.Add("the logits", n, v) + 3 * n + v;  // logits, the loss's per-row buffers and bias copy, Linear's ones
        activations += n * h + largest.Add("the input gradient", n, e); // gradients into the stack and into the input
        activations += (layers - 1) * n * h * (dropout ? 2 : 1) + Math.Min(layers - 1, 2) * n * h;
        double packedColumns(double columns) => Math.Ceiling(columns / GemmDriver.NR) * GemmDriver.NR;
        double layerActivations(double i)
        {
            double states = (t + 1) * b * h;
            return n * i + config.Cell switch
            {
                CellKind.Gru => largest.Add("the GRU gates", n, 3 * h) + n * h + states + 3 * b * h + 2 * n * 3 * h + 2 * b * h,
                CellKind.Rnn => states + b * h + n * h + 2 * b * h,
                _ => largest.Add("the LSTM gates", n, 4 * h) + 2 * states + n * h + 4 * h + n * 4 * h + 3 * b * h
                     + (t >= 4 ? h * packedColumns(4 * h) + 4 * h * packedColumns(h) + 32 : 0),
            };
        }
        activations += layerActivations(e) + (layers - 1) * layerActivations(h);
        double stateWidth = config.Cell == CellKind.Lstm ? 2 * h : h;
        activations += 2 * layers * b * stateWidth;                  // the carried state and the model's copy of it

        long perThread = (GemmDriver.ABlockFloats + GemmDriver.BPanelFloats + GemmDriver.SharedAMax + 48) * (long)sizeof(float);
        return new MemoryEstimate
        {
            ParameterBytes = Saturate(parameters * sizeof(float) + otherBytes),
            GradientBytes = Saturate(parameters * sizeof(float)),
            OptimizerBytes = Saturate(slots * parameters * sizeof(float)),
            OptimizerName = config.Optimizer switch
            {
                OptimizerKind.Sgd => "SGD",
                OptimizerKind.Momentum => "momentum",
                OptimizerKind.Adam => "Adam",
                OptimizerKind.RmsProp => "RMSProp",
                var other => other.ToString(),
            },
            ActivationBytes = Saturate(activations * sizeof(float) + 2 * n * sizeof(int)), // and the trainer's input and target ids
            WorkspaceBytes = perThread * ComputeThreads.Count,
            ParameterCount = Saturate(parameters),
            LargestTensorElements = Saturate(largest.Elements),
            LargestTensor = largest.Name,
            Batch = $"batch {b} × {t} steps",
        };
    }

    /// <summary>Bytes as people read them: "31.2 GB", "512.0 MB", "8.0 kB" (powers of 1000).</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1_000_000_000_000 => (bytes / 1e12).ToString("0.0", CultureInfo.InvariantCulture) + " TB",
        >= 1_000_000_000 => (bytes / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB",
        >= 1_000_000 => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " kB",
    };

    public override string ToString() =>
        $"{Format(TotalBytes)}: {Format(ParameterBytes)} of parameters, {Format(GradientBytes)} of gradients, " +
        (OptimizerBytes > 0 ? $"{Format(OptimizerBytes)} of {OptimizerName} state, " : "") +
        $"{Format(ActivationBytes)} of activations ({Batch}) and {Format(WorkspaceBytes)} of workspace";

    /// <summary>Tracks the largest buffer while the sizes are added up.</summary>
    private sealed class Largest
    {
        public double Elements { get; private set; }
        public string Name { get; private set; } = "";

        /// <summary>Records a rows × columns buffer and returns its elements.</summary>
        public double Add(string name, double rows, double columns)
        {
            double elements = rows * columns;
            if (elements > Elements)
            {
                Elements = elements;
                Name = $"{name} [{rows:N0} × {columns:N0}]";
            }
            return elements;
        }
    }
}
