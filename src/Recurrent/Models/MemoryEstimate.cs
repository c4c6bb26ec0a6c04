using System.Globalization;
using Recurrent.Kernels;

namespace Recurrent.Models;

/// <summary>
/// The memory a model takes to train, worked out from its config (and, for the tasks whose batches follow the data,
/// the largest batch) before anything is allocated: what <see cref="MemoryBudget.Require(MemoryEstimate)"/> compares
/// with what the machine has. This file: <see cref="LanguageModel"/>; the other models in
/// <c>MemoryEstimate.*.cs</c>.
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
internal sealed partial record MemoryEstimate
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

    /// <summary>Bytes of what else the model or task keeps (<see cref="ExtraName"/>): noise tables, lookup tables.</summary>
    public long ExtraBytes { get; init; }

    /// <summary>What <see cref="ExtraBytes"/> are, for messages.</summary>
    public string ExtraName { get; init; } = "tables";

    /// <summary>The sentence of the refusal that says what to make smaller.</summary>
    public string Advice { get; init; } = "Reduce the hidden size, the number of layers, the batch size or the number of steps";

    /// <summary>The same for a buffer larger than an array holds; null: <see cref="Advice"/>.</summary>
    public string? ArrayAdvice { get; init; }

    /// <summary>Everything together.</summary>
    public long TotalBytes => Saturate((double)ParameterBytes + GradientBytes + OptimizerBytes + ActivationBytes + ExtraBytes + WorkspaceBytes);

    /// <summary>The weights alone (what building a model allocates, before any training): the check of the models' constructors.</summary>
    public MemoryEstimate WeightsOnly => this with { GradientBytes = 0, OptimizerBytes = 0, ActivationBytes = 0, ExtraBytes = 0, WorkspaceBytes = 0 };

    /// <summary>The parts that hold memory, as "its parameters, gradients, Adam state and activations" says them.</summary>
    public string PartNames => Join(Parts(withFigures: false));

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
        parameters += CellWeights(config.Cell, e, h, "rnn.0", largest) + (layers > 1 ? (layers - 1) * CellWeights(config.Cell, h, h, "rnn.1", largest) : 0);
        parameters += largest.Add("softmax.weight", h, v) + v;
        int slots = Slots(config.Optimizer);

        // Activations of one training batch (floats).
        double activations = largest.Add("the embedded input", n, e);
        if (dropout && !config.OneHot) activations += n * e + mask(e);
        activations += n * h;                                        // top layer output
        if (dropout) activations += n * h + mask(h);
        activations += largest.Add("the logits", n, v) + 3 * n + v;  // logits, the loss's per-row buffers and bias copy, Linear's ones
        activations += n * h + largest.Add("the input gradient", n, e); // gradients into the stack and into the input
        activations += (layers - 1) * n * h * (dropout ? 2 : 1) + Math.Min(layers - 1, 2) * n * h;
        activations += CellCaches(config.Cell, e, h, t, b, largest) + (layers - 1) * CellCaches(config.Cell, h, h, t, b, largest);
        double stateWidth = config.Cell == CellKind.Lstm ? 2 * h : h;
        activations += 2 * layers * b * stateWidth;                  // the carried state and the model's copy of it

        return new MemoryEstimate
        {
            ParameterBytes = Saturate(parameters * sizeof(float) + otherBytes),
            GradientBytes = Saturate(parameters * sizeof(float)),
            OptimizerBytes = Saturate(slots * parameters * sizeof(float)),
            OptimizerName = NameOf(config.Optimizer),
            ActivationBytes = Saturate(activations * sizeof(float) + 2 * n * sizeof(int)), // and the trainer's input and target ids
            WorkspaceBytes = Workspace,
            ParameterCount = Saturate(parameters),
            LargestTensorElements = Saturate(largest.Elements),
            LargestTensor = largest.Name,
            Batch = $"batch {b} × {t} steps",
            ArrayAdvice = "Reduce the sizes behind it: hidden size, embedding size, vocabulary, batch size or number of steps",
        };
    }

    /// <summary>
    /// The estimate of a task model trained whole (classifier, tagger): weights plus <paramref name="otherBytes"/>,
    /// gradients and optimizer slots for the <paramref name="trainable"/> weights, and the activations counted by the caller.
    /// </summary>
    private static MemoryEstimate ForTask(double parameters, double trainable, double otherBytes, OptimizerKind optimizer,
        double activations, Largest largest, double b, double t, string advice) => new()
    {
        ParameterBytes = Saturate(parameters * sizeof(float) + otherBytes),
        GradientBytes = Saturate(trainable * sizeof(float)),
        OptimizerBytes = Saturate(Slots(optimizer) * trainable * sizeof(float)),
        OptimizerName = NameOf(optimizer),
        ActivationBytes = Saturate(activations * sizeof(float)),
        WorkspaceBytes = Workspace,
        ParameterCount = Saturate(parameters),
        LargestTensorElements = Saturate(largest.Elements),
        LargestTensor = largest.Name,
        Batch = $"batch {b:N0} × {t:N0} steps",
        Advice = advice,
    };

    /// <summary>Bytes as people read them: "31.2 GB", "512.0 MB", "8.0 kB" (powers of 1000).</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1_000_000_000_000 => (bytes / 1e12).ToString("0.0", CultureInfo.InvariantCulture) + " TB",
        >= 1_000_000_000 => (bytes / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB",
        >= 1_000_000 => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " kB",
    };

    public override string ToString() => $"{Format(TotalBytes)}: {Join(Parts(withFigures: true))}";

    private List<string> Parts(bool withFigures)
    {
        var parts = new List<string>();
        void add(long bytes, string name, bool always = false)
        {
            if (bytes > 0 || always) parts.Add(withFigures ? $"{Format(bytes)} of {name}" : name);
        }
        add(ParameterBytes, "parameters", always: true);
        add(GradientBytes, "gradients");
        add(OptimizerBytes, $"{OptimizerName} state");
        add(ActivationBytes, withFigures ? $"activations ({Batch})" : "activations");
        add(ExtraBytes, ExtraName);
        if (withFigures) add(WorkspaceBytes, "workspace");
        return parts;
    }

    private static string Join(List<string> parts) => parts.Count == 1 ? parts[0] : string.Join(", ", parts.Take(parts.Count - 1)) + " and " + parts[^1];

    /// <summary>Floats of one recurrent cell's weights (input width <paramref name="i"/>, <paramref name="h"/> units), recording its largest matrix under <paramref name="name"/>.</summary>
    private static double CellWeights(CellKind cell, double i, double h, string name, Largest largest) => cell switch
    {
        CellKind.Gru => largest.Add(name + ".weight_ih", i, 3 * h) + largest.Add(name + ".weight_hh", h, 3 * h) + 2 * 3 * h,
        CellKind.Rnn => largest.Add(name + ".weight", i + h, h) + h,
        _ => largest.Add(name + ".weight", i + h, 4 * h) + 4 * h,
    };

    /// <summary>
    /// Floats one recurrent cell keeps for a batch of <paramref name="b"/> sequences of <paramref name="t"/> steps (what
    /// its backward pass reads and its scratch): LSTM N·I input copy, N·4H gates, 2·(T+1)·B·H hidden and cell states, N·H
    /// tanh(c), 4H bias, N·4H gate gradients, 3·B·H and the two packed copies of W_h (T ≥ 4); GRU N·I, N·3H gates, N·H
    /// candidates, (T+1)·B·H states, 2·N·3H projection gradients and 5·B·H; RNN N·I, (T+1)·B·H, N·H and 3·B·H.
    /// </summary>
    private static double CellCaches(CellKind cell, double i, double h, double t, double b, Largest largest)
    {
        double n = t * b, states = (t + 1) * b * h;
        static double packedColumns(double columns) => Math.Ceiling(columns / GemmDriver.NR) * GemmDriver.NR;
        return n * i + cell switch
        {
            CellKind.Gru => largest.Add("the GRU gates", n, 3 * h) + n * h + states + 3 * b * h + 2 * n * 3 * h + 2 * b * h,
            CellKind.Rnn => states + b * h + n * h + 2 * b * h,
            _ => largest.Add("the LSTM gates", n, 4 * h) + 2 * states + n * h + 4 * h + n * 4 * h + 3 * b * h
                 + (t >= 4 ? h * packedColumns(4 * h) + 4 * h * packedColumns(h) + 32 : 0),
        };
    }

    /// <summary>Slots per weight: SGD 0, momentum 1, Adam 2 (m, v), RMSProp 1 (the mean square; no momentum slot at μ = 0, as the trainer builds it).</summary>
    private static int Slots(OptimizerKind optimizer) => optimizer switch
    {
        OptimizerKind.Sgd => 0,
        OptimizerKind.Momentum => 1,
        OptimizerKind.Adam => 2,
        OptimizerKind.RmsProp => 1,
        _ => 2,
    };

    private static string NameOf(OptimizerKind optimizer) => optimizer switch
    {
        OptimizerKind.Sgd => "SGD",
        OptimizerKind.Momentum => "momentum",
        OptimizerKind.Adam => "Adam",
        OptimizerKind.RmsProp => "RMSProp",
        var other => other.ToString(),
    };

    /// <summary>The GEMM packing buffers of every compute thread.</summary>
    private static long Workspace => (GemmDriver.ABlockFloats + GemmDriver.BPanelFloats + GemmDriver.SharedAMax + 48) * (long)sizeof(float) * ComputeThreads.Count;

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
