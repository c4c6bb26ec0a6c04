namespace Recurrent.Models;

internal sealed partial record MemoryEstimate
{
    /// <summary>
    /// The memory to train a <see cref="SequenceTagger"/> of <paramref name="config"/> on batches of at most
    /// <paramref name="batch"/> sentences of at most <paramref name="steps"/> tokens, with at most <paramref name="forms"/>
    /// distinct written forms of at most <paramref name="charSteps"/> characters per batch for the character BiLSTM (both
    /// as <see cref="Data.Labelling.TaggingBatcher"/> sizes its buffers), the training and validation batches included.
    /// The config need not be valid: sizes are taken as they are.
    /// </summary>
    /// <remarks>
    /// In floats of 4 bytes (N = steps · batch, X = the token input width, H, D, R and I as for the classifier,
    /// K = tags, U = forms, C = character steps):
    /// <list type="bullet">
    /// <item><b>Parameters</b>: the word, character and feature embeddings (each with two int tables of its rows), the
    /// character BiLSTM, per layer and direction the cell's weights, the output R·K + K, and with a CRF K² + 2K.</item>
    /// <item><b>Activations</b>: N·X input (with dropout its mask), its gradient and the gathered rows of one input part;
    /// the stack and its layers as for the classifier; N·R top output (with dropout its copy and mask) and gradient; N·K
    /// emissions and their gradient; the softmax's per-token buffers or the CRF's forward and backward tables (doubles);
    /// the character BiLSTM over C steps of U forms; the initial and final states; the training and validation batches.</item>
    /// </list>
    /// </remarks>
    public static MemoryEstimate For(SequenceTaggerConfig config, int steps, int batch, int forms = 0, int charSteps = 0)
    {
        double h = Math.Max(config.HiddenSize, 1), layers = Math.Max(config.NumLayers, 1);
        double t = Math.Max(steps, 1), b = Math.Max(batch, 1), n = t * b, k = Math.Max(config.Tags, 1);
        double directions = config.Bidirectional ? 2 : 1, r = directions * h;
        double words = Math.Max(config.WordEmbeddingSize, 0), chars = Math.Max(config.CharEmbeddingSize, 0);
        double charHidden = chars > 0 ? Math.Max(config.CharHiddenSize, 1) : 0;
        int[] featureSizes = config.FeatureVocabSizes ?? [];
        double featureWidth = config.FeatureEmbeddingSize > 0 ? config.FeatureEmbeddingSize : 0;
        double frame = Math.Max(config.FrameSize, 0);
        // The input width in double: an absurd size must give an absurd figure, not an overflowed int.
        double x = Math.Max(words + 2 * charHidden + (featureWidth > 0 ? featureSizes.Length * featureWidth : 0) + frame, 1);
        var largest = new Largest();

        double parameters = 0, frozen = 0, otherBytes = 0;
        double embedding(string name, double rows, double width)
        {
            otherBytes += 2 * rows * sizeof(int);
            return largest.Add(name, rows, width);
        }
        if (words > 0)
        {
            double table = embedding("word_embedding.weight", Math.Max(config.VocabSize, 1), words);
            parameters += table;
            if (config.FreezeEmbeddings) frozen = table;
        }
        if (chars > 0)
            parameters += embedding("char_embedding.weight", Math.Max(config.CharVocabSize, 1), chars) + 2 * CellWeights(CellKind.Lstm, chars, charHidden, "char_rnn.forward", largest);
        if (featureWidth > 0)
            for (int f = 0; f < featureSizes.Length; f++) parameters += embedding($"feature_embedding.{f}.weight", Math.Max(featureSizes[f], 1), featureWidth);
        string prefix = config.Bidirectional ? ".forward" : "";
        parameters += directions * CellWeights(config.Cell, x, h, "rnn.0" + prefix, largest)
                      + (layers > 1 ? (layers - 1) * directions * CellWeights(config.Cell, r, h, "rnn.1" + prefix, largest) : 0);
        parameters += largest.Add("output.weight", r, k) + k;
        if (config.Output == TaggerOutput.Crf) parameters += k * k + 2 * k;
        double lmClasses = config.LmVocab + 2.0, lmHidden = Math.Max(config.LmHiddenSize, 1);
        bool neighbours = config.LmWeight > 0;
        if (neighbours) parameters += 2 * (h * lmHidden + lmHidden + largest.Add("neighbour_words.forward.output.weight", lmHidden, lmClasses) + lmClasses);
        double trainable = parameters - frozen;

        bool dropout = config.KeepProb < 1f;
        double activations = largest.Add("the token inputs", n, x) + (dropout ? n * x : 0) + largest.Add("the input gradient", n, x);
        activations += n * Math.Max(words, featureWidth);              // the gathered rows of one input part
        activations += (layers - 1) * n * r * (dropout ? 2 : 1) + Math.Min(layers - 1, 2) * n * r;
        double layer(double i) => directions * CellCaches(config.Cell, i, h, t, b, largest) + (config.Bidirectional ? 3 * n * i + 6 * n * h : 0);
        activations += layer(x) + (layers - 1) * layer(r);
        activations += largest.Add("the recurrent outputs", n, r) + n * r + (dropout ? 2 * n * r : 0); // output, gradient, dropout
        activations += 2 * largest.Add("the emissions", n, k);         // and their gradient
        activations += config.Output == TaggerOutput.Crf
            ? 2 * 2 * n * k + 2 * b * (k * k + 2 * k) + 2 * b * 4 * k + n + 4 * b // α and β, accumulators and scratch (doubles), tags, lengths
            : 5 * n;                                                    // weights and targets here and in the loss, per-token losses
        activations += 2 * n + 2 * b;                                   // real rows, ids, lengths
        if (neighbours)                                                 // per direction: logits, tanh units; shared: states, their gradient, targets
            activations += 2 * largest.Add("the neighbour-word logits", n, lmClasses) + 2 * n * lmHidden + n * lmHidden + 2 * n * h + n;
        activations += 2 * layers * directions * b * h * (config.Cell == CellKind.Lstm ? 2 : 1);
        double u = Math.Max(forms, 0), c = Math.Max(charSteps, 1);
        if (chars > 0 && u > 0)
        {
            double m = c * u;
            activations += 2 * largest.Add("the character inputs", m, chars) + 2 * m * 2 * charHidden + 2 * u * 2 * charHidden;
            activations += 2 * CellCaches(CellKind.Lstm, chars, charHidden, c, u, largest) + 3 * m * chars + 6 * m * charHidden;
            activations += 2 * 2 * 2 * u * charHidden;                   // its initial and final states
        }
        // The training and validation batches: words, tags, features, forms (ints), frames (floats), characters.
        double batchInts = n * ((words > 0 ? 1 : 0) + 1 + featureSizes.Length + (chars > 0 ? 1 : 0)) + 2 * b
                           + (chars > 0 ? largest.Add("the batch's characters", u, c) + 2 * u : 0);
        activations += 2 * (batchInts + largest.Add("the batch's frames", n, frame));

        return ForTask(parameters, trainable, otherBytes, config.Optimizer, activations, largest, b, t,
            "Reduce the hidden size, the number of layers, the embedding sizes, the batch size or the vocabulary (max_vocab in a --config file)");
    }
}
