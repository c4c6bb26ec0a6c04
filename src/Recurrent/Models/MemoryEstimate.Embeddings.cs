using Recurrent.Embeddings;

namespace Recurrent.Models;

internal sealed partial record MemoryEstimate
{
    /// <summary>
    /// The memory <see cref="EmbeddingTrainer"/> takes to train vectors of <paramref name="options"/> for a vocabulary of
    /// <paramref name="vocabulary"/> words (the vocabulary itself, already built, is not counted).
    /// </summary>
    /// <remarks>
    /// In floats of 4 bytes (V words, D = <see cref="EmbeddingOptions.Dimension"/>, per thread B = the NCE batch size and
    /// S = the noise words): negative sampling trains the input and output vectors, 2·V·D, in place (no gradients, no
    /// optimizer state); its noise table takes 24 bytes a word while it is built, the subsampling thresholds 8. NCE trains
    /// the embeddings, weights and biases, 2·V·D + V, with as many momentum accumulators, and each thread keeps a batch:
    /// 4·B·D + 2·S·D + 2·B·S + (B + S)·D floats and four int tables of V, and its noise sampler's table of V.
    /// </remarks>
    public static MemoryEstimate For(EmbeddingOptions options, int vocabulary)
    {
        double v = Math.Max(vocabulary, 1), d = Math.Max(options.Dimension, 1), threads = Math.Max(options.Threads, 1);
        double window = Math.Max(options.Window, 1), negative = Math.Max(options.Negative, 1);
        bool nce = options.Loss == EmbeddingLoss.Nce;
        var largest = new Largest();
        double parameters = largest.Add(nce ? "the embeddings" : "the input vectors", v, d) + largest.Add(nce ? "the NCE weights" : "the output vectors", v, d);
        double tables = 8 * v;                                          // subsampling thresholds (bytes)
        double perThread = EmbeddingTrainer.MaxSentenceLength;         // the sentence's ids
        if (nce)
        {
            parameters += v;
            double batch = Math.Max(options.BatchSize, 1);
            perThread += 4 * largest.Add("an NCE batch", batch, d) + 2 * negative * d + 2 * batch * negative + (batch + negative) * d
                         + 5 * batch + 4 * negative + 4 * v + v;     // and the row tables, the sampler's table
        }
        else
        {
            tables += 24 * v;                                           // the noise table while it is built
            perThread += 2 * window * (negative + 1) + 2 * window + 3 * (negative + 1) + (options.Cbow ? 2 * d : 0);
        }
        return new MemoryEstimate
        {
            ParameterBytes = Saturate(parameters * sizeof(float)),
            GradientBytes = 0,
            OptimizerBytes = nce ? Saturate(parameters * sizeof(float)) : 0,
            OptimizerName = "momentum",
            ActivationBytes = Saturate(threads * perThread * sizeof(float)),
            ExtraBytes = Saturate(tables),
            WorkspaceBytes = 0,
            ParameterCount = Saturate(parameters),
            LargestTensorElements = Saturate(largest.Elements),
            LargestTensor = largest.Name,
            Batch = $"{threads:N0} thread{(threads == 1 ? "" : "s")}",
            Advice = "Reduce --size, or the vocabulary (raise --min-count or set --max-vocab)",
        };
    }
}
