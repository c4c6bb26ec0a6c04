using Recurrent.Data.Labelling;
using Recurrent.Layers;
using Recurrent.Losses;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// A sequence tagger: per token, the concatenation x_t = [word embedding, character BiLSTM of the word, feature
/// embeddings, frame] → dropout → recurrent layers (bidirectional LSTM or GRU) over the real lengths → dropout →
/// emissions e_t = h_t·W + b over the K tags → a softmax per token or a linear-chain CRF over the sentence.
/// </summary>
/// <remarks>
/// <para>The character part runs once per distinct written form in the batch: a BiLSTM over the form's characters
/// (case kept), whose forward output after the last character and backward output after the first are joined
/// (2·H_c floats) and copied to every token of that form; backward sums the gradients of those tokens.</para>
/// <para>Loss with the softmax: <c>Σ_{real (t, b)} −log softmax(e_t,b)[y_t,b]</c>, padding rows weighted 0 (so the
/// mean the task takes is over real tokens only, as the book's masked cost). With the CRF: <c>Σ_b NLL_b</c> of
/// <see cref="LinearChainCrf"/>. Padding steps output zeros in the recurrent layers, and every per-token operation
/// reads real rows only, so a sentence gets the same tags, loss and gradients whatever it is batched with.
/// Buffers are owned and reused; a batch allocates nothing once shapes are seen.</para>
/// </remarks>
public sealed class SequenceTagger : IModel
{
    private readonly Embedding? _words, _chars;
    private readonly Embedding[] _features;
    private readonly Bidirectional? _charRnn;
    private readonly StackedRecurrent _recurrent;
    private readonly Dropout _inputDropout, _outputDropout;
    private readonly Linear _output;
    private readonly LinearChainCrf? _crf;
    private readonly NeighbourWordPrediction? _neighbours;
    private readonly SoftmaxCrossEntropy _softmax = new();
    private readonly Parameter[] _parameters, _trainable;

    private readonly Tensor _input = new(0);          // [T, B, D]
    private readonly Tensor _hidden = new(0);         // [T, B, R]
    private readonly Tensor _dropped = new(0);        // [T, B, R] after dropout
    private readonly Tensor _emissions = new(0);      // [T, B, K]
    private readonly Tensor _emissionGradient = new(0);
    private readonly Tensor _hiddenGradient = new(0);
    private readonly Tensor _inputGradient = new(0);
    private readonly Tensor _gathered = new(0);       // [n, width]: one input part of the real rows
    private readonly Tensor _charInput = new(0);      // [C, U, Ec]
    private readonly Tensor _charOutput = new(0);     // [C, U, 2Hc]
    private readonly Tensor _charPooled = new(0);     // [U, 2Hc]
    private readonly Tensor _charPooledGradient = new(0);
    private readonly Tensor _charOutputGradient = new(0);
    private readonly Tensor _charInputGradient = new(0);
    private RecurrentState _initial, _final;
    private RecurrentState? _charInitial, _charFinal;
    private int[] _realRows = [], _ids = [], _lengths = [], _targets = [], _lossLengths = [];
    private float[] _weights = [];
    private int _steps, _batch, _real, _forms, _charSteps;
    private TaggingBatch? _last;

    /// <summary>Builds the model with weights drawn from a generator seeded by <c>config.seed</c>.</summary>
    /// <exception cref="RecurrentException">The config is invalid (the message names the setting).</exception>
    public SequenceTagger(SequenceTaggerConfig config)
    {
        config.Validate();
        // Before anything is allocated: weights too large for the machine, or for one array, are refused with figures.
        MemoryBudget.Require(MemoryEstimate.For(config, steps: 1, batch: 1).WeightsOnly);
        Config = config;
        Random = new RandomGenerator(config.Seed);
        var parameters = new List<Parameter>();
        if (config.WordEmbeddingSize > 0)
        {
            _words = new Embedding(config.VocabSize, config.WordEmbeddingSize, "word_embedding");
            Initializers.Uniform(_words.Weight.Value, config.EmbeddingInitScale, Random);
            parameters.Add(_words.Weight);
        }
        if (config.CharEmbeddingSize > 0)
        {
            _chars = new Embedding(config.CharVocabSize, config.CharEmbeddingSize, "char_embedding");
            Initializers.Uniform(_chars.Weight.Value, MathF.Sqrt(3f / config.CharEmbeddingSize), Random);
            parameters.Add(_chars.Weight);
            _charRnn = new Bidirectional(
                new Lstm("char_rnn.forward", config.CharEmbeddingSize, config.CharHiddenSize, Random, config.InitScale, config.ForgetBias),
                new Lstm("char_rnn.backward", config.CharEmbeddingSize, config.CharHiddenSize, Random, config.InitScale, config.ForgetBias));
            parameters.AddRange(_charRnn.Parameters);
            _charInitial = _charRnn.CreateState(1);
            _charFinal = _charRnn.CreateState(1);
        }
        _features = new Embedding[config.UsesFeatures ? config.FeatureVocabSizes.Length : 0];
        for (int c = 0; c < _features.Length; c++)
        {
            _features[c] = new Embedding(config.FeatureVocabSizes[c], config.FeatureEmbeddingSize, $"feature_embedding.{c}");
            Initializers.Uniform(_features[c].Weight.Value, MathF.Sqrt(3f / config.FeatureEmbeddingSize), Random);
            parameters.Add(_features[c].Weight);
        }
        var layers = new IRecurrentLayer[config.NumLayers];
        for (int l = 0; l < layers.Length; l++)
        {
            int inputSize = l == 0 ? config.InputSize : config.RecurrentOutputSize;
            layers[l] = config.Bidirectional
                ? new Bidirectional(Cell($"rnn.{l}.forward", inputSize), Cell($"rnn.{l}.backward", inputSize))
                : Cell($"rnn.{l}", inputSize);
        }
        _recurrent = new StackedRecurrent(layers, config.KeepProb, Random);
        parameters.AddRange(_recurrent.Parameters);
        _output = new Linear(config.RecurrentOutputSize, config.Tags, "output");
        Initializers.GlorotUniform(_output.Weight.Value, Random);
        parameters.AddRange(_output.Parameters);
        if (config.Output == TaggerOutput.Crf)
        {
            _crf = new LinearChainCrf(config.Tags, "crf");
            parameters.AddRange(_crf.Parameters);
        }
        if (config.LmWeight > 0)
        {
            _neighbours = new NeighbourWordPrediction(config.HiddenSize, config.LmHiddenSize, config.LmVocab + 2, Random);
            parameters.AddRange(_neighbours.Parameters);
        }
        _inputDropout = new Dropout(config.KeepProb, Random);
        _outputDropout = new Dropout(config.KeepProb, Random);
        _parameters = parameters.ToArray();
        _trainable = config.FreezeEmbeddings && _words is not null ? _parameters.Where(p => p != _words.Weight).ToArray() : _parameters;
        _initial = _recurrent.CreateState(1);
        _final = _recurrent.CreateState(1);
    }

    private IRecurrentLayer Cell(string name, int inputSize) => Config.Cell switch
    {
        CellKind.Lstm => new Lstm(name, inputSize, Config.HiddenSize, Random, Config.InitScale, Config.ForgetBias),
        CellKind.Gru => new Gru(name, inputSize, Config.HiddenSize, Random, Config.InitScale),
        _ => throw new RecurrentException($"Unknown cell '{Config.Cell}'."),
    };

    /// <summary>The hyper-parameters the model was built with.</summary>
    public SequenceTaggerConfig Config { get; }

    /// <inheritdoc/>
    public RandomGenerator Random { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> TrainableParameters => _trainable;

    /// <inheritdoc/>
    public string ConfigJson => Config.ToJson();

    /// <summary>The word embedding table [vocab, E], for loading pretrained vectors; null without word input.</summary>
    public Parameter? WordEmbeddingWeight => _words?.Weight;

    /// <summary>
    /// Disallowed tag transitions of the CRF (rebuilt from the tag names after loading: they are not parameters);
    /// null allows every transition. Ignored with the softmax output.
    /// </summary>
    public TransitionConstraints? Constraints
    {
        get => _crf?.Constraints;
        set
        {
            if (_crf is not null) _crf.Constraints = value;
        }
    }

    /// <summary>
    /// With <see cref="SequenceTaggerConfig.LmWeight"/> &gt; 0, the class the neighbour-word objective gives each word
    /// id: in [0, lm_vocab) for the words it predicts, lm_vocab for every other word (lm_vocab + 1 is the sentence
    /// edge). Training needs it; decoding does not. <see cref="NeighbourWordClasses(IReadOnlyList{int}, int)"/> builds it.
    /// </summary>
    internal int[]? WordClasses
    {
        get => _neighbours?.WordClasses;
        set
        {
            if (_neighbours is null) throw new InvalidOperationException("The model has no neighbour-word objective (lm_weight is 0).");
            if (value is not null)
                foreach (int c in value)
                    if ((uint)c > (uint)Config.LmVocab) throw new ArgumentException($"Word class {c} is outside [0, {Config.LmVocab}].", nameof(value));
            _neighbours.WordClasses = value;
        }
    }

    /// <summary>
    /// The classes of the neighbour-word objective from training counts per word id: the <paramref name="vocab"/> most
    /// frequent words seen in training (ties by id) get classes 0, 1, … in that order; all others share class
    /// <paramref name="vocab"/>.
    /// </summary>
    internal static int[] NeighbourWordClasses(IReadOnlyList<int> counts, int vocab)
    {
        var order = new int[counts.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) => counts[a] != counts[b] ? counts[b].CompareTo(counts[a]) : a.CompareTo(b));
        var classes = new int[counts.Count];
        Array.Fill(classes, vocab);
        for (int r = 0; r < Math.Min(vocab, order.Length) && counts[order[r]] > 0; r++) classes[order[r]] = r;
        return classes;
    }

    /// <summary>A model for inference over this model's weights (shared, not copied), with buffers of its own.</summary>
    public SequenceTagger CreateInference()
    {
        var copy = new SequenceTagger(Config);
        ModelExtensions.ShareWeights(copy, this);
        copy.Constraints = Constraints;
        return copy;
    }

    /// <summary>
    /// Forward and backward of one training batch: the gradient of <c>gradientScale · Σ losses</c> is accumulated
    /// into the trainable parameters' gradients, the weighted neighbour-word loss included when the config has it.
    /// Tokens whose gold tag is unknown (−1) add nothing.
    /// </summary>
    /// <returns>The summed tag loss (nats) over the batch; the neighbour-word part is <see cref="LastNeighbourWordLoss"/>.</returns>
    internal double TrainBatch(TaggingBatch batch, float gradientScale)
    {
        if (!batch.HasTags) throw new ArgumentException("Training needs gold tags.", nameof(batch));
        Forward(batch, training: true);
        double loss = Loss(batch, _emissionGradient, gradientScale);
        LastNeighbourWordLoss = Backward(gradientScale);
        return loss;
    }

    /// <summary>
    /// The weighted neighbour-word loss the last <see cref="TrainBatch"/> added to the objective (0 without it). It is
    /// kept out of <see cref="TrainBatch"/>'s return, so that the reported training loss is the tag loss alone, in
    /// the same terms as the validation loss.
    /// </summary>
    internal double LastNeighbourWordLoss { get; private set; }

    /// <summary>
    /// The weighted neighbour-word loss (<see cref="SequenceTaggerConfig.LmWeight"/> times its summed cross-entropy)
    /// of a forward pass with dropout off; 0 without the objective. Training adds it to the tag loss.
    /// </summary>
    internal double NeighbourWordLoss(TaggingBatch batch)
    {
        if (_neighbours is null) return 0;
        Forward(batch, training: false);
        return _neighbours.Compute(_hidden, _realRows.AsSpan(0, _real), _batch, _lengths.AsSpan(0, _batch), batch.Words, Config.LmWeight, null, 0f);
    }

    /// <summary>The neighbour-word heads' logits of the last <see cref="NeighbourWordLoss"/> (0: forward, 1: backward), [real tokens, classes].</summary>
    internal Tensor NeighbourWordLogits(int direction) => (_neighbours ?? throw new InvalidOperationException("No neighbour-word objective.")).Logits(direction);

    /// <summary>
    /// Forward pass with dropout off: writes the predicted tag of every token into <paramref name="predicted"/> (T·B,
    /// time-major, −1 at padding; Viterbi with the CRF, the arg-max with the softmax) when it is not empty, and returns
    /// the summed loss against the gold tags (0 without them; sentences holding a tag the model does not know add
    /// nothing to a CRF loss, such tokens nothing to a softmax loss).
    /// </summary>
    internal double Evaluate(TaggingBatch batch, Span<int> predicted)
    {
        Forward(batch, training: false);
        double loss = batch.HasTags ? Loss(batch, null, 0f) : 0;
        if (!predicted.IsEmpty) Decode(predicted);
        return loss;
    }

    /// <summary>The emissions [T, B, K] of the last forward pass.</summary>
    internal Tensor Emissions => _emissions;

    private void Forward(TaggingBatch batch, bool training)
    {
        SequenceTaggerConfig c = Config;
        int steps = batch.Steps, size = batch.Size, d = c.InputSize;
        _last = batch;
        _steps = steps;
        _batch = size;
        if (_lengths.Length < size) _lengths = new int[size];
        batch.Lengths.CopyTo(_lengths);
        ReadOnlySpan<int> lengths = batch.Lengths;

        // Real rows t·B + b (t < length_b), in row order: every per-token part reads and writes only these.
        int n = batch.RealTokens;
        if (_realRows.Length < n) { _realRows = new int[n]; _ids = new int[n]; }
        int k = 0;
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < size; b++)
                if (t < lengths[b]) _realRows[k++] = t * size + b;
        _real = n;

        _input.Resize(steps, size, d).Clear();
        int offset = 0;
        if (_words is not null)
        {
            Gather(batch.Words, n);
            _words.Forward(_ids.AsSpan(0, n), _gathered);
            Scatter(_gathered, offset, _words.Dimension);
            offset += _words.Dimension;
        }
        if (_chars is not null)
        {
            ForwardCharacters(batch, training);
            int width = 2 * c.CharHiddenSize;
            ReadOnlySpan<int> forms = batch.TokenForms;
            Span<float> x = _input.Span;
            ReadOnlySpan<float> pooled = _charPooled.Span;
            for (int i = 0; i < n; i++)
            {
                int row = _realRows[i];
                pooled.Slice(forms[row] * width, width).CopyTo(x.Slice(row * d + offset, width));
            }
            offset += width;
        }
        for (int f = 0; f < _features.Length; f++)
        {
            Gather(batch.Features(f), n);
            _features[f].Forward(_ids.AsSpan(0, n), _gathered);
            Scatter(_gathered, offset, _features[f].Dimension);
            offset += _features[f].Dimension;
        }
        if (c.FrameSize > 0)
        {
            int frame = c.FrameSize;
            if (batch.FrameSize != frame) throw new ArgumentException($"The batch has frames of {batch.FrameSize}, the model reads {frame}.", nameof(batch));
            ReadOnlySpan<float> frames = batch.Frames;
            Span<float> x = _input.Span;
            for (int i = 0; i < n; i++)
            {
                int row = _realRows[i];
                frames.Slice(row * frame, frame).CopyTo(x.Slice(row * d + offset, frame));
            }
        }

        _inputDropout.Training = training;
        _inputDropout.Forward(_input, _input);
        if (_initial.BatchSize != size) { _initial.Resize(size); _final.Resize(size); }
        else _initial.Clear();
        _recurrent.Training = training;
        _recurrent.Forward(_input, _initial, _hidden, _final, lengths);
        Tensor top = _hidden;
        _outputDropout.Training = training;
        if (training && c.KeepProb < 1f)
        {
            _outputDropout.Forward(_hidden, _dropped);
            top = _dropped;
        }
        _emissions.Resize(steps, size, c.Tags);
        _output.Forward(top, _emissions);
    }

    /// <summary>Runs the character BiLSTM over the batch's distinct forms: <c>_charPooled[u] = [forward after the last character, backward after the first]</c>.</summary>
    private void ForwardCharacters(TaggingBatch batch, bool training)
    {
        int forms = batch.Forms, chars = Math.Max(batch.CharSteps, 1);
        _forms = forms;
        _charSteps = chars;
        _charInput.Resize(chars, forms, _chars!.Dimension);
        if (forms == 0)
        {
            _charPooled.Resize(0, 2 * Config.CharHiddenSize);
            return;
        }
        if (batch.CharSteps == 0) _charInput.Clear();
        else _chars.Forward(batch.CharIds, _charInput);
        if (_charInitial!.BatchSize != forms) { _charInitial.Resize(forms); _charFinal!.Resize(forms); }
        else _charInitial.Clear();
        _charRnn!.Forward(_charInput, _charInitial, _charOutput, _charFinal!, batch.CharLengths);
        SequencePooling.BidirectionalLast(_charOutput, batch.CharLengths, Config.CharHiddenSize, _charPooled);
    }

    private double Loss(TaggingBatch batch, Tensor? gradient, float scale)
    {
        int rows = _steps * _batch;
        ReadOnlySpan<int> tags = batch.Tags;
        if (_crf is null)
        {
            if (_weights.Length < rows) { _weights = new float[rows]; _targets = new int[rows]; }
            bool any = false;
            for (int r = 0; r < rows; r++)
            {
                bool known = tags[r] >= 0;
                _weights[r] = known ? 1f : 0f;
                _targets[r] = known ? tags[r] : 0;
                any |= known;
            }
            if (!any)
            {
                gradient?.Resize(_steps, _batch, Config.Tags).Clear();
                return 0;
            }
            return _softmax.Compute(_emissions, _targets.AsSpan(0, rows), _weights.AsSpan(0, rows), gradient, scale);
        }
        // A sentence with a tag the model does not know has no likelihood: it counts as empty.
        if (_lossLengths.Length < _batch) _lossLengths = new int[_batch];
        for (int b = 0; b < _batch; b++)
        {
            int length = _lengths[b];
            for (int t = 0; t < length; t++)
                if (tags[t * _batch + b] < 0) { length = 0; break; }
            _lossLengths[b] = length;
        }
        return _crf.NegativeLogLikelihood(_emissions, _lossLengths.AsSpan(0, _batch), tags, gradient, scale);
    }

    private void Decode(Span<int> predicted)
    {
        int rows = _steps * _batch, k = Config.Tags;
        if (predicted.Length < rows) throw new ArgumentException($"Room for {predicted.Length} tags given for {rows} rows.", nameof(predicted));
        predicted = predicted[..rows];
        if (_crf is not null)
        {
            _crf.Decode(_emissions, _lengths.AsSpan(0, _batch), predicted);
            return;
        }
        predicted.Fill(-1);
        ReadOnlySpan<float> e = _emissions.Span;
        for (int i = 0; i < _real; i++)
        {
            int row = _realRows[i];
            ReadOnlySpan<float> scores = e.Slice(row * k, k);
            int best = 0;
            for (int j = 1; j < k; j++) if (scores[j] > scores[best]) best = j;
            predicted[row] = best;
        }
    }

    /// <summary>Backward of the last training forward pass; returns the neighbour-word loss it adds (0 without it).</summary>
    private double Backward(float scale)
    {
        SequenceTaggerConfig c = Config;
        TaggingBatch batch = _last!;
        int d = c.InputSize, n = _real;
        bool dropout = c.KeepProb < 1f;
        Tensor top = dropout ? _dropped : _hidden;
        _output.Backward(top, _emissionGradient, _hiddenGradient);
        _hiddenGradient.Resize(_steps, _batch, c.RecurrentOutputSize);
        double neighbours = _neighbours?.Compute(top, _realRows.AsSpan(0, n), _batch, _lengths.AsSpan(0, _batch), batch.Words, c.LmWeight, _hiddenGradient, scale) ?? 0;
        if (dropout) _outputDropout.Backward(_hiddenGradient, _hiddenGradient);
        _recurrent.Backward(_hiddenGradient, null, _inputGradient, null);
        _inputDropout.Backward(_inputGradient, _inputGradient);

        int offset = 0;
        if (_words is not null)
        {
            if (!c.FreezeEmbeddings)
            {
                Gather(batch.Words, n);
                GatherGradient(offset, _words.Dimension);
                _words.Backward(_ids.AsSpan(0, n), _gathered);
            }
            offset += _words.Dimension;
        }
        if (_chars is not null)
        {
            int width = 2 * c.CharHiddenSize;
            if (_forms > 0)
            {
                _charPooledGradient.Resize(_forms, width).Clear();
                ReadOnlySpan<int> forms = batch.TokenForms;
                ReadOnlySpan<float> dx = _inputGradient.Span;
                Span<float> dPooled = _charPooledGradient.Span;
                for (int i = 0; i < n; i++)
                {
                    int row = _realRows[i];
                    System.Numerics.Tensors.TensorPrimitives.Add(dPooled.Slice(forms[row] * width, width), dx.Slice(row * d + offset, width), dPooled.Slice(forms[row] * width, width));
                }
                SequencePooling.BidirectionalLastBackward(_charPooledGradient, batch.CharLengths, c.CharHiddenSize, _charSteps, _charOutputGradient);
                _charRnn!.Backward(_charOutputGradient, null, _charInputGradient, null);
                if (batch.CharSteps > 0) _chars.Backward(batch.CharIds, _charInputGradient);
            }
            offset += width;
        }
        for (int f = 0; f < _features.Length; f++)
        {
            Gather(batch.Features(f), n);
            GatherGradient(offset, _features[f].Dimension);
            _features[f].Backward(_ids.AsSpan(0, n), _gathered);
            offset += _features[f].Dimension;
        }
        return neighbours;
    }

    /// <summary>_ids[i] = ids[real row i].</summary>
    private void Gather(ReadOnlySpan<int> ids, int n)
    {
        for (int i = 0; i < n; i++) _ids[i] = ids[_realRows[i]];
    }

    /// <summary>Writes row i of <paramref name="parts"/> [n, width] into the input's columns [offset, offset + width) of real row i.</summary>
    private void Scatter(Tensor parts, int offset, int width)
    {
        int d = Config.InputSize;
        ReadOnlySpan<float> source = parts.Span;
        Span<float> x = _input.Span;
        for (int i = 0; i < _real; i++)
            source.Slice(i * width, width).CopyTo(x.Slice(_realRows[i] * d + offset, width));
    }

    /// <summary>_gathered [n, width] = the input gradient's columns [offset, offset + width) of the real rows.</summary>
    private void GatherGradient(int offset, int width)
    {
        int d = Config.InputSize;
        _gathered.Resize(_real, width);
        ReadOnlySpan<float> dx = _inputGradient.Span;
        Span<float> g = _gathered.Span;
        for (int i = 0; i < _real; i++)
            dx.Slice(_realRows[i] * d + offset, width).CopyTo(g.Slice(i * width, width));
    }
}
