using System.Text.Json;
using System.Text.RegularExpressions;
using Recurrent.Data;
using Recurrent.Data.Classification;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Tensors;
using Recurrent.Training;

namespace Recurrent.Interop;

/// <summary>A model built from a PyTorch state dict, with the checkpoint entries it needs.</summary>
/// <param name="Model">The model, holding the imported weights.</param>
/// <param name="Kind">The checkpoint kind (<c>word</c>, <c>char</c>, <c>classifier</c>).</param>
/// <param name="Metadata">The task's checkpoint entries (vocabulary, labels).</param>
/// <param name="Summary">One line on what was found: the modules and their sizes.</param>
internal sealed record PyTorchImportResult(IModel Model, string Kind, IReadOnlyDictionary<string, string> Metadata, string Summary)
{
    /// <summary>Writes the checkpoint (the same format as a trained model's, weights only).</summary>
    public void Save(string path) => ModelCheckpoint.Save(path, Model, Kind, Metadata);
}

/// <summary>
/// Turns a PyTorch state dict of <c>nn.Embedding</c> (optional), <c>nn.LSTM</c> / <c>nn.GRU</c> / <c>nn.RNN</c> and
/// <c>nn.Linear</c>, saved as safetensors, into one of our models: a word or character language model, or a
/// sequence classifier. Sizes come from the tensor shapes; the gates are reordered into our layout.
/// </summary>
/// <remarks>
/// <para>LSTM: PyTorch's <c>weight_ih_l{k}</c> [4H, I] and <c>weight_hh_l{k}</c> [4H, H] hold the gates i, f, g, o by rows;
/// ours is one W [I + H, 4H] with gate columns i, j (= g), f, o, so our block (i, j, f, o) is PyTorch's block
/// (0, 2, 1, 3), transposed. PyTorch adds two biases; ours is their sum, with forget bias 0. Same equations
/// otherwise: c' = σ(f)⊙c + σ(i)⊙tanh(g), h' = σ(o)⊙tanh(c').</para>
/// <para>GRU: ours is PyTorch's formulation (the reset gate multiplies W_hn·h + b_hn; gates r, z, n in that order;
/// h' = (1 − z)⊙n + z⊙h), so the weights are only transposed and both biases kept. A GRU in TensorFlow's form
/// (reset before the product) would not be representable; PyTorch's is.</para>
/// <para>RNN: <c>nn.RNN</c> with its default tanh is our plain RNN (W = [W_ih; W_hh]ᵀ, b = b_ih + b_hh). A ReLU
/// <c>nn.RNN</c> has the same tensors and cannot be told apart from them: it would be imported as tanh.</para>
/// <para>Refused, with the reason: LSTM projections (<c>proj_size</c>), a bidirectional language model, layers of
/// different sizes, and any tensor the model would not use (it would silently drop part of the network).</para>
/// </remarks>
internal static partial class PyTorchImport
{
    /// <summary>Reads <paramref name="path"/> and imports it (see <see cref="Import(SafeTensorsFile, PyTorchImportOptions)"/>).</summary>
    public static PyTorchImportResult Import(string path, PyTorchImportOptions options) => Import(SafeTensorsFile.Read(path), options);

    /// <summary>Builds the model the state dict describes and copies its weights in.</summary>
    /// <exception cref="RecurrentException">The state dict does not hold a model of the requested kind, the vocabulary or
    /// labels do not match its sizes, or a module cannot be told apart (the message names the tensors and the option to use).</exception>
    public static PyTorchImportResult Import(SafeTensorsFile file, PyTorchImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Kind is not ("word" or "char" or "classifier"))
            throw new RecurrentException($"--kind must be word, char or classifier, got '{options.Kind}'.");
        var used = new HashSet<string>(StringComparer.Ordinal);
        RnnModule rnn = FindRnn(file, options.Rnn, used);
        (SafeTensor weight, SafeTensor? bias) output = FindOutput(file, options.Output, rnn.OutputSize, used);
        SafeTensor? embedding = FindEmbedding(file, options.Embedding, rnn.InputSize, used);
        var unused = file.Tensors.Where(t => !used.Contains(t.Name)).Select(t => $"{t.Name} {t.ShapeText}").ToArray();
        if (unused.Length > 0)
            throw Fail(file, $"holds tensors that a model of embedding, {rnn.CellName} and linear layers would not use: {string.Join(", ", unused)}. " +
                "Only nn.Embedding → nn.LSTM/GRU/RNN → nn.Linear is imported; save the state dict of that part alone.");

        int outputs = output.weight.Shape[0];
        int vocabulary = embedding?.Shape[0] ?? rnn.InputSize;
        string moduleSummary = $"{(embedding is null ? "one-hot input" : $"embedding '{embedding.Name}' {embedding.ShapeText}")}, " +
            $"{rnn.Layers} × {rnn.Hidden} {rnn.CellName}{(rnn.Bidirectional ? " (bidirectional)" : "")} '{rnn.Prefix.TrimEnd('.')}', linear '{output.weight.Name}' {output.weight.ShapeText}";
        return options.Kind == "classifier"
            ? Classifier(file, options, rnn, embedding, output, vocabulary, outputs, moduleSummary)
            : LanguageModel(file, options, rnn, embedding, output, vocabulary, outputs, moduleSummary);
    }

    private static PyTorchImportResult LanguageModel(SafeTensorsFile file, PyTorchImportOptions options, RnnModule rnn, SafeTensor? embedding,
        (SafeTensor weight, SafeTensor? bias) output, int vocabulary, int outputs, string summary)
    {
        if (rnn.Bidirectional)
            throw Fail(file, $"holds a bidirectional {rnn.CellName}: a language model reads left to right and cannot use the backward direction (import it as --kind classifier, or train a unidirectional model).");
        if (outputs != vocabulary)
            throw Fail(file, $"predicts {outputs} tokens (linear '{output.weight.Name}' {output.weight.ShapeText}) but reads {vocabulary} ({(embedding is null ? "one-hot input of that width" : $"embedding {embedding.ShapeText}")}); a language model reads and predicts the same vocabulary.");
        Vocabulary words = CheckVocabulary(file, options, outputs);
        if (options.Kind == "char") _ = new CharVocabulary(words);
        LanguageModelConfig baseConfig = options.Kind == "word" ? WordModelPresets.Small : new LanguageModelConfig();
        var config = baseConfig with
        {
            VocabSize = vocabulary,
            OneHot = embedding is null,
            EmbeddingSize = embedding is null || embedding.Shape[1] == rnn.Hidden ? 0 : embedding.Shape[1],
            Cell = rnn.Cell,
            NumLayers = rnn.Layers,
            HiddenSize = rnn.Hidden,
            ForgetBias = 0f,
        };
        var model = new LanguageModel(config);
        var values = Parameters(model);
        if (embedding is not null) Copy(embedding.Values, values["embedding.weight"]);
        for (int l = 0; l < rnn.Layers; l++) CopyLayer(rnn, l, "", values, $"rnn.{l}");
        CopyLinear(output, values, "softmax");
        return new PyTorchImportResult(model, options.Kind, new Dictionary<string, string> { [ModelCheckpoint.VocabularyKey] = words.ToJson() }, summary);
    }

    private static PyTorchImportResult Classifier(SafeTensorsFile file, PyTorchImportOptions options, RnnModule rnn, SafeTensor? embedding,
        (SafeTensor weight, SafeTensor? bias) output, int vocabulary, int outputs, string summary)
    {
        Vocabulary words = CheckVocabulary(file, options, vocabulary);
        if (words.Count < 2 || words.Words[ClassificationVocabulary.PaddingId] != ClassificationVocabulary.Padding || words.Words[ClassificationVocabulary.UnknownId] != Vocabulary.Unknown)
            throw new RecurrentException($"The classifier's vocabulary must start with {ClassificationVocabulary.Padding} (id {ClassificationVocabulary.PaddingId}) and " +
                $"{Vocabulary.Unknown} (id {ClassificationVocabulary.UnknownId}), which the classify commands pad with and map unknown words to; it starts with " +
                $"'{string.Join("', '", words.Words.Take(2))}'. Reorder the vocabulary and the embedding rows the same way.");
        bool sigmoid = outputs == 1;
        int classes = sigmoid ? 2 : outputs;
        string[] labels = options.Labels?.ToArray() ?? Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (labels.Length != classes)
            throw new RecurrentException($"--labels names {labels.Length} classes but linear '{output.weight.Name}' {output.weight.ShapeText} scores {classes}{(sigmoid ? " (one sigmoid logit: two classes)" : "")}.");
        var config = new SequenceClassifierConfig
        {
            VocabSize = vocabulary,
            Classes = classes,
            SigmoidOutput = sigmoid,
            OneHot = embedding is null,
            EmbeddingSize = embedding?.Shape[1] ?? 1,
            Cell = rnn.Cell,
            NumLayers = rnn.Layers,
            HiddenSize = rnn.Hidden,
            Bidirectional = rnn.Bidirectional,
            Head = options.Head,
            ForgetBias = 0f,
        };
        var model = new SequenceClassifier(config);
        var values = Parameters(model);
        if (embedding is not null) Copy(embedding.Values, values["embedding.weight"]);
        for (int l = 0; l < rnn.Layers; l++)
        {
            if (!rnn.Bidirectional) CopyLayer(rnn, l, "", values, $"rnn.{l}");
            else
            {
                CopyLayer(rnn, l, "", values, $"rnn.{l}.forward");
                CopyLayer(rnn, l, "_reverse", values, $"rnn.{l}.backward");
            }
        }
        CopyLinear(output, values, "output");
        var metadata = new Dictionary<string, string>
        {
            [ModelCheckpoint.VocabularyKey] = words.ToJson(),
            [ModelCheckpoint.LabelsKey] = JsonSerializer.Serialize(labels),
        };
        return new PyTorchImportResult(model, "classifier", metadata, summary + $", head {options.Head.ToString().ToLowerInvariant()}, {(sigmoid ? "sigmoid" : "softmax")} over {classes} classes");
    }

    private static Vocabulary CheckVocabulary(SafeTensorsFile file, PyTorchImportOptions options, int size)
    {
        Vocabulary words;
        try
        {
            words = new Vocabulary(options.Vocabulary);
        }
        catch (ArgumentException e)
        {
            throw new RecurrentException($"The vocabulary is invalid: {e.Message}", e);
        }
        if (words.Count != size)
            throw new RecurrentException($"The vocabulary has {words.Count:N0} tokens but the model in {file.Path} has {size:N0} rows; they must be the same tokens in the same order.");
        return words;
    }

    /// <summary>The recurrent module: its tensors' prefix, cell, sizes and directions.</summary>
    private sealed record RnnModule(string Prefix, CellKind Cell, int Layers, int Hidden, int InputSize, bool Bidirectional, Dictionary<string, SafeTensor> Tensors)
    {
        public int OutputSize => (Bidirectional ? 2 : 1) * Hidden;
        public string CellName => Cell switch { CellKind.Lstm => "LSTM", CellKind.Gru => "GRU", _ => "RNN" };
        public SafeTensor? Find(string name) => Tensors.GetValueOrDefault(Prefix + name);
    }

    [GeneratedRegex(@"^(?<prefix>(?:.*\.)?)weight_ih_l0$")]
    private static partial Regex FirstLayerWeight();

    [GeneratedRegex(@"^(?:weight|bias)_(?:ih|hh|hr)_l(?<layer>\d+)(?<reverse>_reverse)?$")]
    private static partial Regex RnnTensor();

    private static RnnModule FindRnn(SafeTensorsFile file, string? name, HashSet<string> used)
    {
        string prefix;
        if (name is not null)
        {
            prefix = name.Length == 0 ? "" : name.TrimEnd('.') + ".";
            if (file.Find(prefix + "weight_ih_l0") is null)
                throw Fail(file, $"has no tensor '{prefix}weight_ih_l0': --rnn {name} names no nn.LSTM, nn.GRU or nn.RNN.");
        }
        else
        {
            var prefixes = file.Tensors.Select(t => FirstLayerWeight().Match(t.Name)).Where(m => m.Success).Select(m => m.Groups["prefix"].Value).ToArray();
            if (prefixes.Length == 0)
                throw Fail(file, $"holds no nn.LSTM, nn.GRU or nn.RNN (no tensor named …weight_ih_l0); its tensors: {Names(file)}.");
            if (prefixes.Length > 1)
                throw Fail(file, $"holds {prefixes.Length} recurrent modules ({string.Join(", ", prefixes.Select(p => p.TrimEnd('.')))}); name the one to import with --rnn.");
            prefix = prefixes[0];
        }

        var tensors = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        int layers = 0;
        bool reverse = false;
        foreach (SafeTensor t in file.Tensors)
        {
            if (!t.Name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            Match m = RnnTensor().Match(t.Name[prefix.Length..]);
            if (!m.Success) continue;
            if (t.Name[prefix.Length..].Contains("_hr_", StringComparison.Ordinal))
                throw Fail(file, $"holds '{t.Name}': an LSTM with projections (proj_size > 0), which our LSTM does not have.");
            tensors[t.Name] = t;
            layers = Math.Max(layers, int.Parse(m.Groups["layer"].Value, System.Globalization.CultureInfo.InvariantCulture) + 1);
            reverse |= m.Groups["reverse"].Success;
        }
        SafeTensor ih0 = tensors[prefix + "weight_ih_l0"];
        SafeTensor hh0 = tensors.GetValueOrDefault(prefix + "weight_hh_l0") ?? throw Fail(file, $"has '{prefix}weight_ih_l0' but no '{prefix}weight_hh_l0'.");
        RequireRank(file, ih0, 2);
        RequireRank(file, hh0, 2);
        int hidden = hh0.Shape[1], rows = hh0.Shape[0];
        if (hidden == 0 || rows % hidden != 0 || rows / hidden is not (1 or 3 or 4))
            throw Fail(file, $"has '{hh0.Name}' {hh0.ShapeText}: rows must be 4, 3 or 1 times the hidden size (LSTM, GRU, RNN).");
        CellKind cell = (rows / hidden) switch { 4 => CellKind.Lstm, 3 => CellKind.Gru, _ => CellKind.Rnn };
        var module = new RnnModule(prefix, cell, layers, hidden, ih0.Shape[1], reverse, tensors);

        // Every layer and direction must be there, with the shapes one stack of equal layers has.
        foreach (string suffix in reverse ? new[] { "", "_reverse" } : [""])
            for (int l = 0; l < layers; l++)
            {
                int input = l == 0 ? module.InputSize : module.OutputSize;
                Expect(file, module, $"weight_ih_l{l}{suffix}", [rows, input], required: true);
                Expect(file, module, $"weight_hh_l{l}{suffix}", [rows, hidden], required: true);
                bool hasIh = Expect(file, module, $"bias_ih_l{l}{suffix}", [rows], required: false);
                bool hasHh = Expect(file, module, $"bias_hh_l{l}{suffix}", [rows], required: false);
                if (hasIh != hasHh) throw Fail(file, $"has only one of '{prefix}bias_ih_l{l}{suffix}' and '{prefix}bias_hh_l{l}{suffix}'.");
            }
        foreach (string n in tensors.Keys) used.Add(n);
        return module;
    }

    private static bool Expect(SafeTensorsFile file, RnnModule module, string name, int[] shape, bool required)
    {
        SafeTensor? t = module.Find(name);
        if (t is null)
        {
            if (required) throw Fail(file, $"has no '{module.Prefix}{name}' although other layers of the {module.CellName} are there.");
            return false;
        }
        if (!t.Shape.AsSpan().SequenceEqual(shape))
            throw Fail(file, $"has '{t.Name}' {t.ShapeText} but a {module.Layers}-layer {module.CellName} of {module.Hidden} units{(module.Bidirectional ? " per direction" : "")} needs [{string.Join(", ", shape)}].");
        return true;
    }

    private static (SafeTensor, SafeTensor?) FindOutput(SafeTensorsFile file, string? name, int inputSize, HashSet<string> used)
    {
        SafeTensor weight;
        if (name is not null)
        {
            weight = file.Find(name + ".weight") ?? throw Fail(file, $"has no tensor '{name}.weight' (--output {name}).");
        }
        else
        {
            // The output layer reads the recurrent output and has a bias; an embedding has none.
            var candidates = file.Tensors.Where(t => !used.Contains(t.Name) && t.Name.EndsWith(".weight", StringComparison.Ordinal) && t.Shape.Length == 2
                && t.Shape[1] == inputSize && file.Find(t.Name[..^".weight".Length] + ".bias") is { Shape: [var n] } && n == t.Shape[0]).ToArray();
            if (candidates.Length != 1)
                throw Fail(file, candidates.Length == 0
                    ? $"has no nn.Linear reading the {inputSize} recurrent outputs (a '….weight' [n, {inputSize}] with its '….bias' [n]); name it with --output. Its tensors: {Names(file)}."
                    : $"has {candidates.Length} nn.Linear layers reading {inputSize} features ({string.Join(", ", candidates.Select(c => c.Name))}); name the output one with --output.");
            weight = candidates[0];
        }
        RequireRank(file, weight, 2);
        if (weight.Shape[1] != inputSize)
            throw Fail(file, $"has '{weight.Name}' {weight.ShapeText}, which does not read the {inputSize} recurrent outputs.");
        SafeTensor? bias = file.Find(weight.Name[..^".weight".Length] + ".bias");
        if (bias is not null && !bias.Shape.AsSpan().SequenceEqual([weight.Shape[0]]))
            throw Fail(file, $"has '{bias.Name}' {bias.ShapeText} beside '{weight.Name}' {weight.ShapeText}.");
        used.Add(weight.Name);
        if (bias is not null) used.Add(bias.Name);
        return (weight, bias);
    }

    private static SafeTensor? FindEmbedding(SafeTensorsFile file, string? name, int inputSize, HashSet<string> used)
    {
        SafeTensor? embedding;
        if (name is not null)
        {
            embedding = file.Find(name + ".weight") ?? throw Fail(file, $"has no tensor '{name}.weight' (--embedding {name}).");
        }
        else
        {
            var candidates = file.Tensors.Where(t => !used.Contains(t.Name) && t.Shape.Length == 2 && t.Shape[1] == inputSize).ToArray();
            if (candidates.Length > 1)
                throw Fail(file, $"has {candidates.Length} tensors that could be the embedding ({string.Join(", ", candidates.Select(c => c.Name))}); name it with --embedding.");
            embedding = candidates.FirstOrDefault(); // none: the recurrent layer reads one-hot vectors
        }
        if (embedding is null) return null;
        RequireRank(file, embedding, 2);
        if (embedding.Shape[1] != inputSize)
            throw Fail(file, $"has the embedding '{embedding.Name}' {embedding.ShapeText}, but the recurrent layer reads {inputSize} features.");
        used.Add(embedding.Name);
        return embedding;
    }

    private static Dictionary<string, Tensor> Parameters(IModel model) => model.Parameters.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);

    /// <summary>Layer <paramref name="layer"/> (direction <paramref name="suffix"/>) of the PyTorch module into our layer <paramref name="ours"/>.</summary>
    private static void CopyLayer(RnnModule rnn, int layer, string suffix, Dictionary<string, Tensor> values, string ours)
    {
        int H = rnn.Hidden;
        ReadOnlySpan<float> wih = rnn.Find($"weight_ih_l{layer}{suffix}")!.Values.Span, whh = rnn.Find($"weight_hh_l{layer}{suffix}")!.Values.Span;
        ReadOnlySpan<float> bih = rnn.Find($"bias_ih_l{layer}{suffix}") is { } ih ? ih.Values.Span : default;
        ReadOnlySpan<float> bhh = rnn.Find($"bias_hh_l{layer}{suffix}") is { } hh ? hh.Values.Span : default;
        int G = rnn.Cell switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };
        int I = wih.Length / (G * H);
        if (rnn.Cell == CellKind.Gru)
        {
            // Same gates (r, z, n) and the same reset placement: transpose, keep both biases.
            Transpose(wih, G * H, I, values[ours + ".weight_ih"].Span);
            Transpose(whh, G * H, H, values[ours + ".weight_hh"].Span);
            if (!bih.IsEmpty) bih.CopyTo(values[ours + ".bias_ih"].Span);
            else values[ours + ".bias_ih"].Clear();
            if (!bhh.IsEmpty) bhh.CopyTo(values[ours + ".bias_hh"].Span);
            else values[ours + ".bias_hh"].Clear();
            return;
        }
        Span<float> w = values[ours + ".weight"].Span, b = values[ours + ".bias"].Span;
        ReadOnlySpan<int> source = rnn.Cell == CellKind.Lstm ? [0, 2, 1, 3] : [0]; // our gate block (i, j, f, o) ← PyTorch's (i, f, g, o)
        for (int g = 0; g < G; g++)
        for (int u = 0; u < H; u++)
        {
            int row = source[g] * H + u, column = g * H + u;
            for (int i = 0; i < I; i++) w[i * G * H + column] = wih[row * I + i];
            for (int h = 0; h < H; h++) w[(I + h) * G * H + column] = whh[row * H + h];
            b[column] = (bih.IsEmpty ? 0f : bih[row]) + (bhh.IsEmpty ? 0f : bhh[row]);
        }
    }

    private static void CopyLinear((SafeTensor weight, SafeTensor? bias) output, Dictionary<string, Tensor> values, string ours)
    {
        Transpose(output.weight.Values.Span, output.weight.Shape[0], output.weight.Shape[1], values[ours + ".weight"].Span);
        if (output.bias is not null) Copy(output.bias.Values, values[ours + ".bias"]);
        else values[ours + ".bias"].Clear();
    }

    /// <summary>destination [columns, rows] = sourceᵀ, source [rows, columns].</summary>
    private static void Transpose(ReadOnlySpan<float> source, int rows, int columns, Span<float> destination)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++) destination[c * rows + r] = source[r * columns + c];
    }

    private static void Copy(Tensor source, Tensor destination)
    {
        if (source.Length != destination.Length) throw new InvalidOperationException($"{source} does not fit {destination}.");
        source.Span.CopyTo(destination.Span);
    }

    private static void RequireRank(SafeTensorsFile file, SafeTensor t, int rank)
    {
        if (t.Shape.Length != rank) throw Fail(file, $"has '{t.Name}' {t.ShapeText}; a {rank}-dimensional tensor was expected.");
    }

    private static string Names(SafeTensorsFile file)
    {
        const int shown = 12;
        return string.Join(", ", file.Tensors.Take(shown).Select(t => $"{t.Name} {t.ShapeText}")) + (file.Tensors.Count > shown ? ", …" : "");
    }

    private static RecurrentException Fail(SafeTensorsFile file, string what) => new($"{file.Path} {what}");
}
