using Recurrent.Data.Classification;

namespace Recurrent.Models;

/// <summary>Named classifier configurations (<c>recurrent classify train --preset NAME</c>).</summary>
public static class SequenceClassifierPresets
{
    /// <summary>
    /// Python Machine Learning (Raschka, ch. 16): the last 200 words of a review, left-padded; an embedding of 256
    /// uniform in (−1, 1); one LSTM of 128 (TF BasicLSTMCell, forget bias 1); dropout keep 0.5 on its output; the
    /// last step's output into one sigmoid logit; Adam 0.001, batch 100, 40 epochs. Every batch starts from a zero
    /// state (the book's code carries one batch's final state into the next, unrelated batch: a slip, not the model).
    /// </summary>
    public static SequenceClassifierConfig Book { get; } = new()
    {
        EmbeddingSize = 256,
        EmbeddingInitScale = 1f,
        Cell = CellKind.Lstm,
        HiddenSize = 128,
        NumLayers = 1,
        ForgetBias = 1f,
        // TF's default glorot_uniform for a [256 + 128, 4 · 128] kernel: sqrt(6 / (384 + 512)) ≈ 0.082.
        InitScale = 0.08f,
        KeepProb = 0.5f,
        Head = ClassifierHead.Last,
        SigmoidOutput = true,
        MaxLength = 200,
        Truncate = TruncationSide.KeepEnd,
        LeftPad = true,
        Optimizer = OptimizerKind.Adam,
        LearningRate = 0.001f,
        BatchSize = 100,
        Epochs = 40,
        SelectionMetric = "accuracy",
    };

    /// <summary>
    /// TensorFlow for Machine Intelligence (ch. 6): a GRU of 300 over pretrained word vectors (needs
    /// <c>--embeddings</c>), the last relevant output from each review's real length, RMSProp 0.002, batch 20.
    /// </summary>
    public static SequenceClassifierConfig Tfmi { get; } = new()
    {
        EmbeddingSize = 200,
        FreezeEmbeddings = true,
        Cell = CellKind.Gru,
        HiddenSize = 300,
        InitScale = 0.08f,
        Head = ClassifierHead.Last,
        MaxLength = 500,
        Truncate = TruncationSide.KeepStart,
        Optimizer = OptimizerKind.RmsProp,
        LearningRate = 0.002f,
        BatchSize = 20,
        Epochs = 10,
        MaxGradNorm = 5f,
        SelectionMetric = "accuracy",
    };

    /// <summary>
    /// The default: a bidirectional GRU of 128 per direction with max pooling over the real steps, a 128-wide
    /// embedding over the 30,000 most frequent words, started from skip-gram vectors trained for 5 passes on the
    /// training data's own texts (validation part included, labels unused; no other data), with dropout on it
    /// (keep 0.6) and on the pooled vector (keep 0.5), the first 800 tokens, bucketed batches of 64, Adam 0.002 with
    /// clipping, 3 epochs with the best on validation accuracy kept. On IMDb, test accuracy from scratch was
    /// 87.0–88.9 % over three runs; from vectors of the 22,500 reviews of the training part alone, 88.9 %; from
    /// vectors of all 25,000 training reviews, 90.4 % and, with this preset, 90.54 % in 4 minutes on a quiet 2-core
    /// machine (docs/results/README.md). With vectors the best validation epoch was the second or third in every run
    /// measured, so training stops after the third.
    /// </summary>
    public static SequenceClassifierConfig Default { get; } = new()
    {
        EmbeddingSize = 128,
        EmbeddingInitScale = 0.1f,
        Cell = CellKind.Gru,
        HiddenSize = 128,
        Bidirectional = true,
        Head = ClassifierHead.Max,
        InitScale = 0.1f,
        KeepProb = 0.5f,
        InputKeepProb = 0.6f,
        PretrainEpochs = 5,
        MaxLength = 800,
        Truncate = TruncationSide.KeepStart,
        MaxVocab = 30000,
        Optimizer = OptimizerKind.Adam,
        LearningRate = 0.002f,
        MaxGradNorm = 5f,
        BatchSize = 64,
        Epochs = 3,
        SelectionMetric = "accuracy",
    };

    /// <summary>Preset names, as <c>classify train --preset</c> takes them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["book", "tfmi", "default"];

    /// <summary>The preset called <paramref name="name"/>.</summary>
    public static SequenceClassifierConfig Get(string name) => name switch
    {
        "book" => Book,
        "tfmi" => Tfmi,
        "default" => Default,
        _ => throw new RecurrentException($"--preset: unknown classifier preset '{name}'; choose one of {string.Join(", ", Names)}."),
    };
}
