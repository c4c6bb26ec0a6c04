namespace Recurrent.Models;

internal sealed partial record MemoryEstimate
{
    /// <summary>
    /// The memory to train a <see cref="SequenceClassifier"/> of <paramref name="config"/> on batches of at most
    /// <paramref name="batch"/> texts of at most <paramref name="steps"/> tokens (the longest text after truncation, or
    /// <c>max_length</c> with left padding), the training and validation batches included. The config need not be valid:
    /// sizes are taken as they are, at least 1.
    /// </summary>
    /// <remarks>
    /// In floats of 4 bytes (N = steps · batch, E = the embedding width or V with one-hot input, H = hidden size, D = 2 with
    /// bidirectional layers else 1, R = D·H, C = classes or 1 with a sigmoid output, I = a layer's input width: E, then R):
    /// <list type="bullet">
    /// <item><b>Parameters</b>: the embedding V·E and its two int tables of V; per layer and direction the cell's weights
    /// (see <see cref="For(LanguageModelConfig)"/>); the output R·C + C. Gradients and optimizer slots count the trainable
    /// ones only (a frozen embedding has neither).</item>
    /// <item><b>Activations</b>: N·E input (with input dropout its copy and mask), N·R top output and its gradient, N·E input
    /// gradient; the stack's (L−1)·N·R layer outputs (with dropout their masks) and up to two N·R gradients; per layer and
    /// direction the cell's caches, and for bidirectional layers 3·N·I + 6·N·H of reversed copies and gradients; the head's
    /// few B·R and B·C; the initial and final states; the training and validation batches' B·T token ids.</item>
    /// </list>
    /// </remarks>
    public static MemoryEstimate For(SequenceClassifierConfig config, int steps, int batch)
    {
        double v = Math.Max(config.VocabSize, 1), h = Math.Max(config.HiddenSize, 1), layers = Math.Max(config.NumLayers, 1);
        double t = Math.Max(steps, 1), b = Math.Max(batch, 1), n = t * b;
        double e = config.OneHot ? v : Math.Max(config.EmbeddingSize, 1);
        double directions = config.Bidirectional ? 2 : 1, r = directions * h;
        double c = config.SigmoidOutput ? 1 : Math.Max(config.Classes, 1);
        var largest = new Largest();

        double parameters = 0, frozen = 0, otherBytes = 0;
        if (!config.OneHot)
        {
            double embedding = largest.Add("embedding.weight", v, e);
            parameters += embedding;
            if (config.FreezeEmbeddings) frozen = embedding;
            otherBytes += 2 * v * sizeof(int);
        }
        string prefix = config.Bidirectional ? ".forward" : "";
        parameters += directions * CellWeights(config.Cell, e, h, "rnn.0" + prefix, largest)
                      + (layers > 1 ? (layers - 1) * directions * CellWeights(config.Cell, r, h, "rnn.1" + prefix, largest) : 0);
        parameters += largest.Add("output.weight", r, c) + c;
        double trainable = parameters - frozen;

        bool dropout = config.KeepProb < 1f;
        double activations = largest.Add("the embedded input", n, e);
        if (config.InputKeepProb < 1f) activations += 2 * n * e;      // the dropped copy and its mask
        activations += largest.Add("the recurrent outputs", n, r) + n * r + largest.Add("the input gradient", n, e);
        activations += (layers - 1) * n * r * (dropout ? 2 : 1) + Math.Min(layers - 1, 2) * n * r;
        double layer(double i) => directions * CellCaches(config.Cell, i, h, t, b, largest) + (config.Bidirectional ? 3 * n * i + 6 * n * h : 0);
        activations += layer(e) + (layers - 1) * layer(r);
        activations += 2 * b * r + (dropout ? 2 * b * r : 0) + (config.Head == ClassifierHead.Max ? b * r : 0); // pooled, its gradient, dropout, arg-max
        activations += b * c + 4 * b;                                 // logits, the loss's targets and per-row losses, Linear's ones, lengths
        activations += 2 * layers * directions * b * h * (config.Cell == CellKind.Lstm ? 2 : 1); // initial and final states
        activations += 2 * (largest.Add("the batch's token ids", b, t) + 3 * b); // training and validation batches (ints)

        return ForTask(parameters, trainable, otherBytes, config.Optimizer, activations, largest, b, t,
            "Reduce the hidden size, the number of layers, the embedding size, the vocabulary (--max-vocab), the batch size or the text length (--max-length)");
    }
}
