using Google.Protobuf;
using Onnx;
using Recurrent.Models;
using Recurrent.Tensors;
using Recurrent.Training;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Recurrent.Interop;

/// <summary>
/// Exports a trained model to an ONNX file (opset 17) that ONNX Runtime and other ONNX tools run without this
/// library: the word and character language models (one step or whole sequences, the state in and out), the
/// sequence classifier (ragged lengths as an input, every head, softmax or sigmoid) and the tagger's emission scores.
/// </summary>
/// <remarks>
/// <para>Every graph is built from standard operators: Gather (embedding lookup) or OneHot, ONNX's LSTM, GRU or RNN
/// operator per layer (see <see cref="OnnxRecurrentLayer"/> for how the weights are laid out so that it computes our
/// cell), MatMul and Add for the linear layers, and a few shape operators for the classifier heads. Batches are
/// time-major, as ours: token [t, b]. Dropout is an identity at inference and does not appear.</para>
/// <para>Not exported: the tagger's CRF decoding (Viterbi over the emissions with the checkpoint's <c>crf.*</c>
/// tensors stays outside the graph), and the text processing in front of every model (tokenizing, vocabulary lookup):
/// the graphs take ids. The vocabulary, labels and config travel in the model's metadata_props.</para>
/// </remarks>
internal static class OnnxExport
{
    /// <summary>Exports a loaded checkpoint to <paramref name="path"/> (written atomically).</summary>
    /// <exception cref="RecurrentException">The kind or mode cannot be exported (the message says why), or the file cannot be written.</exception>
    public static OnnxExportResult Export(LoadedCheckpoint checkpoint, string path, OnnxExportMode mode = OnnxExportMode.Sequence)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["recurrent.model_kind"] = checkpoint.Kind,
            ["recurrent.export_mode"] = mode.ToString().ToLowerInvariant(),
            [ModelCheckpoint.ConfigKey] = checkpoint.Model.ConfigJson,
        };
        foreach ((string key, string value) in checkpoint.File.Metadata)
            if (key is not (ModelCheckpoint.TrainingStateKey or ModelCheckpoint.KindKey or ModelCheckpoint.ConfigKey)) metadata[key] = value;
        (ModelProto model, List<OnnxValueInfo> inputs, List<OnnxValueInfo> outputs) = Build(checkpoint.Model, mode, metadata);
        string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        AtomicFile.Write(path, stream => model.WriteTo(stream));
        return new OnnxExportResult(inputs, outputs, new FileInfo(path).Length);
    }

    /// <summary>The ONNX model of <paramref name="model"/> as bytes (what <see cref="Export"/> writes, less the checkpoint's metadata).</summary>
    public static byte[] ToBytes(IModel model, OnnxExportMode mode = OnnxExportMode.Sequence) =>
        Build(model, mode, new Dictionary<string, string>()).Model.ToByteArray();

    /// <summary>The inputs and outputs the graph of <paramref name="model"/> has in <paramref name="mode"/>.</summary>
    public static (IReadOnlyList<OnnxValueInfo> Inputs, IReadOnlyList<OnnxValueInfo> Outputs) Describe(IModel model, OnnxExportMode mode = OnnxExportMode.Sequence)
    {
        (_, List<OnnxValueInfo> inputs, List<OnnxValueInfo> outputs) = Build(model, mode, new Dictionary<string, string>());
        return (inputs, outputs);
    }

    private static (ModelProto Model, List<OnnxValueInfo> Inputs, List<OnnxValueInfo> Outputs) Build(IModel model, OnnxExportMode mode, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = new Graph(new OnnxGraphBuilder("recurrent"), model);
        string doc;
        switch (model)
        {
            case LanguageModel lm:
                LanguageModelGraph(graph, lm.Config, mode);
                doc = $"Recurrent language model ({mode.ToString().ToLowerInvariant()} mode)";
                break;
            case SequenceClassifier classifier:
                RequireSequence(mode, "a classifier");
                ClassifierGraph(graph, classifier.Config);
                doc = "Recurrent sequence classifier";
                break;
            case SequenceTagger tagger:
                RequireSequence(mode, "a tagger");
                TaggerGraph(graph, tagger.Config);
                doc = "Recurrent sequence tagger (emission scores)";
                break;
            default:
                throw new RecurrentException($"ONNX export supports language models, classifiers and taggers, not {model.GetType().Name}.");
        }
        return (graph.Builder.Build(doc, metadata), graph.Inputs, graph.Outputs);
    }

    private static void RequireSequence(OnnxExportMode mode, string what)
    {
        if (mode != OnnxExportMode.Sequence)
            throw new RecurrentException($"--mode {mode.ToString().ToLowerInvariant()} applies to language models only; {what} is exported as a whole-sequence graph (--mode sequence).");
    }

    /// <summary>The builder, the model's parameters by name, and the inputs and outputs declared so far.</summary>
    private sealed class Graph(OnnxGraphBuilder builder, IModel model)
    {
        public OnnxGraphBuilder Builder { get; } = builder;
        public Dictionary<string, Tensor> Parameters { get; } = model.Parameters.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        public List<OnnxValueInfo> Inputs { get; } = [];
        public List<OnnxValueInfo> Outputs { get; } = [];

        public Tensor Parameter(string name) => OnnxRecurrentLayer.Get(Parameters, name);

        /// <summary>A parameter as a float initializer of the same shape.</summary>
        public string Weight(string name)
        {
            Tensor t = Parameter(name);
            return Builder.Floats(name.Replace('.', '_'), t.Span, Array.ConvertAll(t.Shape, d => (long)d));
        }

        public string Input(string name, DataType type, object[] dims, string description)
        {
            Inputs.Add(new OnnxValueInfo(name, TypeName(type), ShapeText(dims), description));
            return Builder.Input(name, type, dims, description);
        }

        public void Output(string name, string value, DataType type, object[] dims, string description)
        {
            Outputs.Add(new OnnxValueInfo(name, TypeName(type), ShapeText(dims), description));
            Builder.Output(name, value, type, dims, description);
        }

        private static string TypeName(DataType type) => type switch
        {
            DataType.Int64 => "int64",
            DataType.Int32 => "int32",
            _ => "float",
        };

        private static string ShapeText(object[] dims) => "[" + string.Join(", ", dims) + "]";
    }

    /// <summary>Token ids [T, B] → embedded (or one-hot) inputs [T, B, E].</summary>
    private static string Embed(Graph graph, string tokens, bool oneHot, int vocabulary, string embedding)
    {
        OnnxGraphBuilder g = graph.Builder;
        return oneHot
            ? g.Node("OneHot", [tokens, g.Int64s("depth", [(long)vocabulary], 1), g.Floats("one_hot_values", [0f, 1f], 2)], attributes: ("axis", -1L))
            : g.Node("Gather", [graph.Weight(embedding), tokens]);
    }

    /// <summary>y = x·W + b for a <see cref="Layers.Linear"/> called <paramref name="name"/>.</summary>
    private static string Linear(Graph graph, string x, string name) =>
        graph.Builder.Node("Add", [graph.Builder.Node("MatMul", [x, graph.Weight(name + ".weight")]), graph.Weight(name + ".bias")]);

    private static void LanguageModelGraph(Graph graph, LanguageModelConfig c, OnnxExportMode mode)
    {
        OnnxGraphBuilder g = graph.Builder;
        int layers = c.NumLayers, hidden = c.HiddenSize, vocabulary = c.VocabSize;
        bool step = mode == OnnxExportMode.Step, lstm = c.Cell == CellKind.Lstm;
        string tokens = step
            ? graph.Input("tokens", DataType.Int64, ["batch"], $"Token ids in [0, {vocabulary}): the current token of each sequence.")
            : graph.Input("tokens", DataType.Int64, ["steps", "batch"], $"Token ids in [0, {vocabulary}), time-major: tokens[t, b] is step t of sequence b.");
        string stateH = graph.Input("state_h", DataType.Float, [layers, "batch", hidden], "Hidden state of each layer, bottom first (zeros to start a text).");
        string? stateC = lstm ? graph.Input("state_c", DataType.Float, [layers, "batch", hidden], "LSTM cell state of each layer, bottom first (zeros to start a text).") : null;

        string x = Embed(graph, step ? g.Node("Unsqueeze", [tokens, g.Axes("axes_0", 0)]) : tokens, c.OneHot, vocabulary, "embedding.weight");
        var finalH = new List<string>();
        var finalC = new List<string>();
        for (int l = 0; l < layers; l++)
        {
            string at = g.Axes($"layer_{l}_start", l), to = g.Axes($"layer_{l}_end", l + 1), axis = g.Axes("axes_0", 0);
            string h0 = g.Node("Slice", [stateH, at, to, axis]);
            string? c0 = stateC is null ? null : g.Node("Slice", [stateC, at, to, axis]);
            OnnxRecurrentLayer.Result r = OnnxRecurrentLayer.Add(g, graph.Parameters, c.Cell, $"rnn.{l}", false, c.ForgetBias, x, null, h0, c0);
            x = r.Output;
            finalH.Add(r.FinalHidden);
            if (r.FinalCell is not null) finalC.Add(r.FinalCell);
        }
        string logits = Linear(graph, x, "softmax");
        if (step) logits = g.Node("Squeeze", [logits, g.Axes("axes_0", 0)]);
        graph.Output("logits", logits, DataType.Float, step ? ["batch", vocabulary] : ["steps", "batch", vocabulary],
            step ? "Unnormalised next-token scores; softmax gives the next-token distribution." : "Unnormalised next-token scores after every step; softmax over the last axis gives the distributions.");
        graph.Output("state_h_out", layers == 1 ? finalH[0] : g.Node("Concat", [.. finalH], attributes: ("axis", 0L)), DataType.Float,
            [layers, "batch", hidden], "Hidden state after the last step: feed it back as state_h to continue.");
        if (lstm)
            graph.Output("state_c_out", layers == 1 ? finalC[0] : g.Node("Concat", [.. finalC], attributes: ("axis", 0L)), DataType.Float,
                [layers, "batch", hidden], "Cell state after the last step: feed it back as state_c to continue.");
    }

    /// <summary>The stacked (possibly bidirectional) layers over x with ragged lengths; returns the top layer's result.</summary>
    private static OnnxRecurrentLayer.Result Layers(Graph graph, CellKind cell, int layers, bool bidirectional, float forgetBias, string x, string lengths)
    {
        OnnxRecurrentLayer.Result r = default;
        for (int l = 0; l < layers; l++)
        {
            r = OnnxRecurrentLayer.Add(graph.Builder, graph.Parameters, cell, $"rnn.{l}", bidirectional, forgetBias, x, lengths, null, null);
            x = r.Output;
        }
        return r;
    }

    private static void ClassifierGraph(Graph graph, SequenceClassifierConfig c)
    {
        OnnxGraphBuilder g = graph.Builder;
        string tokens = graph.Input("tokens", DataType.Int64, ["steps", "batch"],
            $"Token ids in [0, {c.VocabSize}), time-major, padded after each text's end (padding: any valid id, usually 0 = <pad>).");
        string lengths = graph.Input("lengths", DataType.Int32, ["batch"], "Real length of each text, in [1, steps] (steps for all when nothing is padded).");
        string x = Embed(graph, tokens, c.OneHot, c.VocabSize, "embedding.weight");
        OnnxRecurrentLayer.Result top = Layers(graph, c.Cell, c.NumLayers, c.Bidirectional, c.ForgetBias, x, lengths);
        string pooled = c.Head switch
        {
            ClassifierHead.Last => LastHead(g, top, lengths, c.Bidirectional),
            ClassifierHead.Mean => MeanHead(g, top.Output, lengths),
            ClassifierHead.Max => MaxHead(g, top.Output, lengths),
            _ => g.Node("Reshape", [g.Node("Transpose", [top.FinalHidden], attributes: ("perm", new long[] { 1, 0, 2 })), g.Axes("shape_b_flat", 0, -1)]),
        };
        string logits = Linear(graph, pooled, "output");
        string probabilities;
        if (c.SigmoidOutput)
        {
            string p = g.Node("Sigmoid", [logits]);
            probabilities = g.Node("Concat", [g.Node("Sub", [g.Scalar("one", 1f), p]), p], attributes: ("axis", 1L));
        }
        else probabilities = g.Node("Softmax", [logits], attributes: ("axis", -1L));
        graph.Output("logits", logits, DataType.Float, ["batch", c.Outputs],
            c.SigmoidOutput ? "The sigmoid logit of class 1." : "Unnormalised class scores.");
        graph.Output("probabilities", probabilities, DataType.Float, ["batch", c.Classes],
            c.SigmoidOutput ? "[1 − σ(logit), σ(logit)]: the probabilities of classes 0 and 1." : "Softmax of the logits: the class probabilities.");
    }

    /// <summary>
    /// The output at each sequence's last real step. One direction: the final hidden state (kept unchanged past the
    /// length). Two: Y[L − 1, b] gathered from Y [T, B, F], since the backward half there is not a final state.
    /// </summary>
    private static string LastHead(OnnxGraphBuilder g, OnnxRecurrentLayer.Result top, string lengths, bool bidirectional)
    {
        if (!bidirectional) return g.Node("Squeeze", [top.FinalHidden, g.Axes("axes_0", 0)]);
        string last = g.Node("Sub", [g.Node("Cast", [lengths], attributes: ("to", (long)DataType.Int64)), g.Scalar("one_i64", 1L)]);
        string index = g.Node("Unsqueeze", [last, g.Axes("axes_0_2", 0, 2)]); // [1, B, 1]
        string shape = g.Node("Concat", [g.Axes("one_dim", 1), g.Node("Shape", [top.Output], attributes: ("start", 1L))], attributes: ("axis", 0L)); // [1, B, F]
        string gathered = g.Node("GatherElements", [top.Output, g.Node("Expand", [index, shape])], attributes: ("axis", 0L));
        return g.Node("Squeeze", [gathered, g.Axes("axes_0", 0)]);
    }

    /// <summary>Σ_t Y[t, b] / max(L_b, 1): the outputs past each length are zeros, so the sum is over the real steps.</summary>
    private static string MeanHead(OnnxGraphBuilder g, string y, string lengths)
    {
        string sum = g.Node("ReduceSum", [y, g.Axes("axes_0", 0)], attributes: ("keepdims", 0L));
        string count = g.Node("Max", [g.Node("Cast", [lengths], attributes: ("to", (long)DataType.Float)), g.Scalar("one", 1f)]);
        return g.Node("Div", [sum, g.Node("Unsqueeze", [count, g.Axes("axes_1", 1)])]);
    }

    /// <summary>max over t &lt; L_b of Y[t, b] (steps past the length masked to −∞; zeros for an empty sequence, as ours).</summary>
    private static string MaxHead(OnnxGraphBuilder g, string y, string lengths)
    {
        string steps = g.Node("Squeeze", [g.Node("Shape", [y], attributes: [("start", 0L), ("end", 1L)]), g.Axes("axes_0", 0)]);
        string t = g.Node("Range", [g.Scalar("zero_i64", 0L), steps, g.Scalar("one_i64", 1L)]);
        string lengths64 = g.Node("Cast", [lengths], attributes: ("to", (long)DataType.Int64));
        string real = g.Node("Less", [g.Node("Unsqueeze", [t, g.Axes("axes_1", 1)]), g.Node("Unsqueeze", [lengths64, g.Axes("axes_0", 0)])]); // [T, B]
        string masked = g.Node("Where", [g.Node("Unsqueeze", [real, g.Axes("axes_2", 2)]), y, g.Scalar("minus_infinity", float.NegativeInfinity)]);
        string max = g.Node("ReduceMax", [masked], attributes: [("axes", new long[] { 0 }), ("keepdims", 0L)]);
        string nonEmpty = g.Node("Unsqueeze", [g.Node("Greater", [lengths64, g.Scalar("zero_i64", 0L)]), g.Axes("axes_1", 1)]);
        return g.Node("Where", [nonEmpty, max, g.Scalar("zero", 0f)]);
    }

    private static void TaggerGraph(Graph graph, SequenceTaggerConfig c)
    {
        OnnxGraphBuilder g = graph.Builder;
        var parts = new List<string>();
        if (c.WordEmbeddingSize > 0)
        {
            string words = graph.Input("words", DataType.Int64, ["steps", "batch"], $"Word ids in [0, {c.VocabSize}) from the tagger's word vocabulary (lower-cased and digits zeroed as its config says), time-major.");
            parts.Add(g.Node("Gather", [graph.Weight("word_embedding.weight"), words]));
        }
        if (c.CharEmbeddingSize > 0)
        {
            string chars = graph.Input("char_ids", DataType.Int64, ["chars", "forms"], $"Character ids in [0, {c.CharVocabSize}) of the batch's distinct word forms, time-major: character k of form u at [k, u].");
            string charLengths = graph.Input("char_lengths", DataType.Int32, ["forms"], "Length of each form in characters (at least 1).");
            string forms = graph.Input("token_forms", DataType.Int64, ["steps", "batch"], "For each token, the index of its form in char_ids (padding: any valid index).");
            string embedded = g.Node("Gather", [graph.Weight("char_embedding.weight"), chars]);
            OnnxRecurrentLayer.Result charRnn = OnnxRecurrentLayer.Add(g, graph.Parameters, CellKind.Lstm, "char_rnn", true, c.ForgetBias, embedded, charLengths, null, null);
            // The final states [2, U, Hc] are the forward output after the last character and the backward one after the first.
            string perForm = g.Node("Reshape", [g.Node("Transpose", [charRnn.FinalHidden], attributes: ("perm", new long[] { 1, 0, 2 })), g.Axes("shape_b_flat", 0, -1)]);
            parts.Add(g.Node("Gather", [perForm, forms]));
        }
        if (c.UsesFeatures)
            for (int f = 0; f < c.FeatureVocabSizes.Length; f++)
            {
                string ids = graph.Input($"feature_{f}", DataType.Int64, ["steps", "batch"], $"Ids in [0, {c.FeatureVocabSizes[f]}) of feature column {f}, time-major.");
                parts.Add(g.Node("Gather", [graph.Weight($"feature_embedding.{f}.weight"), ids]));
            }
        if (c.FrameSize > 0)
            parts.Add(graph.Input("frames", DataType.Float, ["steps", "batch", c.FrameSize], "Dense input of each token (OCR pixels), time-major."));
        string lengths = graph.Input("lengths", DataType.Int32, ["batch"], "Real length of each sentence, in [1, steps].");
        string x = parts.Count == 1 ? parts[0] : g.Node("Concat", [.. parts], attributes: ("axis", 2L));
        OnnxRecurrentLayer.Result top = Layers(graph, c.Cell, c.NumLayers, c.Bidirectional, c.ForgetBias, x, lengths);
        graph.Output("emissions", Linear(graph, top.Output, "output"), DataType.Float, ["steps", "batch", c.Tags],
            c.Output == TaggerOutput.Crf
                ? "Emission score of every tag at every step; decode with the CRF (Viterbi with the checkpoint's crf.transitions, crf.start and crf.end)."
                : "Tag scores at every step; the arg-max (or softmax) over the last axis gives the tag.");
    }
}
