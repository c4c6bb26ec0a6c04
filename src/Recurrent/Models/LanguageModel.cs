using Recurrent.Layers;
using Recurrent.Losses;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// A token-level language model (words or characters): embedding (→ dropout) or one-hot input → stacked
/// recurrent layers (dropout between them) → dropout → softmax projection over the vocabulary, with a
/// cross-entropy loss. This is ptb_word_lm.py's PTBModel, and with a character vocabulary the char-rnn model.
/// </summary>
/// <remarks>
/// Batches are time-major: token <c>[t, b]</c> is at index <c>t · batch + b</c>. The recurrent state is carried
/// by the caller from batch to batch (truncated backpropagation through time): <see cref="TrainBatch"/> and
/// <see cref="EvaluateBatch"/> read the state as the initial state and leave the final state in it.
/// All buffers are owned by the model and reused, so a step allocates nothing once shapes are seen.
/// </remarks>
public sealed partial class LanguageModel : IModel
{
    private readonly Embedding? _embedding;
    private readonly Dropout _inputDropout;
    private readonly StackedRecurrent _recurrent;
    private readonly Dropout _outputDropout;
    private readonly Linear _softmax;
    private readonly SoftmaxCrossEntropy _loss = new();
    private readonly Parameter[] _parameters;

    private readonly Tensor _input = new(0);        // [T, B, E]: embedded (or one-hot) tokens
    private readonly Tensor _droppedInput = new(0); // [T, B, E] after dropout
    private readonly Tensor _hidden = new(0);       // [T, B, H]: top recurrent layer
    private readonly Tensor _droppedHidden = new(0);// [T, B, H] after dropout
    private readonly Tensor _logits = new(0);       // [T·B, V]; holds the logit gradient after a training step
    private readonly Tensor _hiddenGradient = new(0);
    private readonly Tensor _inputGradient = new(0);
    private RecurrentState? _initial;               // copy of the carried state the last forward started from
    private RecurrentState? _batchState;            // PredictNextBatch's zero, then final, state

    /// <summary>Builds the model with weights drawn from <see cref="Random"/>, seeded by <c>config.seed</c>.</summary>
    public LanguageModel(LanguageModelConfig config)
    {
        config.Validate();
        MemoryBudget.Require(MemoryEstimate.For(config)); // before anything is allocated: an absurd size is refused with figures
        Config = config;
        Random = new RandomGenerator(config.Seed);
        int embeddingSize = config.EffectiveEmbeddingSize;
        var parameters = new List<Parameter>();
        if (!config.OneHot)
        {
            _embedding = new Embedding(config.VocabSize, embeddingSize, "embedding");
            Initializers.Uniform(_embedding.Weight.Value, config.InitScale, Random);
            parameters.AddRange(_embedding.Parameters);
        }
        var layers = new IRecurrentLayer[config.NumLayers];
        for (int l = 0; l < layers.Length; l++)
        {
            int inputSize = l == 0 ? embeddingSize : config.HiddenSize;
            string name = $"rnn.{l}";
            layers[l] = config.Cell switch
            {
                CellKind.Lstm => new Lstm(name, inputSize, config.HiddenSize, Random, config.InitScale, config.ForgetBias),
                CellKind.Gru => new Gru(name, inputSize, config.HiddenSize, Random, config.InitScale),
                CellKind.Rnn => new SimpleRnn(name, inputSize, config.HiddenSize, Random, config.InitScale),
                _ => throw new RecurrentException($"Unknown cell '{config.Cell}'."),
            };
        }
        _recurrent = new StackedRecurrent(layers, config.KeepProb, Random, config.VariationalDropout);
        parameters.AddRange(_recurrent.Parameters);
        _softmax = new Linear(config.HiddenSize, config.VocabSize, "softmax");
        Initializers.Uniform(_softmax.Weight.Value, config.InitScale, Random);
        Initializers.Uniform(_softmax.Bias.Value, config.InitScale, Random);
        parameters.AddRange(_softmax.Parameters);
        _parameters = parameters.ToArray();
        _inputDropout = new Dropout(config.KeepProb, Random, config.VariationalDropout);
        _outputDropout = new Dropout(config.KeepProb, Random, config.VariationalDropout);
    }

    /// <summary>The hyper-parameters the model was built with.</summary>
    public LanguageModelConfig Config { get; }

    /// <summary>The generator behind initialisation and dropout masks; its state is saved in checkpoints.</summary>
    public RandomGenerator Random { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Every parameter trains (a language model has nothing frozen).</summary>
    public IReadOnlyList<Parameter> TrainableParameters => _parameters;

    /// <inheritdoc/>
    public string ConfigJson => Config.ToJson();

    /// <summary>
    /// A model for inference that reads this model's weights (shared, not copied) and has buffers of its own, so
    /// several can run at once on different threads. Neither may train while the other is in use.
    /// </summary>
    public LanguageModel CreateInference()
    {
        var copy = new LanguageModel(Config);
        ModelExtensions.ShareWeights(copy, this);
        copy.Codec = Codec;
        return copy;
    }

    /// <summary>When set, every batch charges its phases' wall time here (profiling); null by default.</summary>
    internal LanguageModelTimings? Timings { get; set; }

    /// <summary>Total number of trainable weights.</summary>
    public long ParameterCount => this.CountParameters();

    /// <summary>A zero state for <paramref name="batchSize"/> sequences.</summary>
    public RecurrentState CreateState(int batchSize) => _recurrent.CreateState(batchSize);

    /// <summary>The tensors of a state, bottom layer first (hidden, then cell), as checkpoints store them.</summary>
    internal static List<Tensor> StateTensors(RecurrentState state)
    {
        var tensors = new List<Tensor>();
        Collect(state, tensors);
        return tensors;

        static void Collect(RecurrentState s, List<Tensor> into)
        {
            if (s.IsComposite)
            {
                foreach (RecurrentState part in s.Parts) Collect(part, into);
                return;
            }
            into.Add(s.Hidden);
            if (s.Cell is not null) into.Add(s.Cell);
        }
    }

    /// <summary>
    /// One truncated-BPTT training batch: forward, loss, and backward with the gradient of
    /// <c>gradientScale · (summed loss)</c> accumulated into the parameters' gradients.
    /// </summary>
    /// <returns>The summed cross-entropy (nats) over the <c>steps · batch</c> targets.</returns>
    public double TrainBatch(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int steps, int batch, RecurrentState state, float gradientScale)
    {
        double loss = Forward(inputs, targets, steps, batch, state, training: true, gradientScale);
        Backward(inputs, steps, batch);
        return loss;
    }

    /// <summary>Forward pass only, dropout off: the summed cross-entropy (nats) over the batch's targets.</summary>
    public double EvaluateBatch(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int steps, int batch, RecurrentState state) =>
        Forward(inputs, targets, steps, batch, state, training: false, gradientScale: 0f);

    /// <summary>
    /// Feeds <paramref name="inputs"/> (one sequence) through the model from <paramref name="state"/>, leaves the
    /// final state in it, and writes the next-token distribution after the last input into <paramref name="probabilities"/>
    /// (length <see cref="LanguageModelConfig.VocabSize"/>), optionally sharpened or flattened by a temperature.
    /// Only the last step goes through the softmax projection, so generation pays for one row per token.
    /// </summary>
    public void PredictNext(ReadOnlySpan<int> inputs, RecurrentState state, Span<float> probabilities, float temperature = 1f)
    {
        if (inputs.Length == 0) throw new ArgumentException("At least one input token is needed.", nameof(inputs));
        int steps = inputs.Length;
        Timings?.Start();
        RunRecurrent(inputs, steps, 1, state, training: false);
        Tensor top = _hidden;
        int h = Config.HiddenSize;
        // Project only the last step: logits = h_last · W + b.
        _logits.Resize(1, Config.VocabSize);
        Kernels.Gemm.Multiply(false, false, 1, Config.VocabSize, h, 1f, top.Span.Slice((steps - 1) * h, h), h,
            _softmax.Weight.Value.Span, Config.VocabSize, 0f, _logits.Span, Config.VocabSize);
        Span<float> logits = _logits.Span;
        System.Numerics.Tensors.TensorPrimitives.Add(logits, _softmax.Bias.Value.Span, logits);
        Timings?.Lap(LanguageModelPhase.SoftmaxForward);
        if (temperature != 1f) Kernels.MathKernels.Scale(1f / temperature, logits);
        Kernels.MathKernels.Softmax(logits, probabilities, 1, Config.VocabSize);
        Timings?.Lap(LanguageModelPhase.Loss);
    }

    /// <summary>
    /// <see cref="PredictNext"/> for <paramref name="batch"/> sequences at once, each from a zero state: sequence b is
    /// <c>inputs[t · batch + b]</c> for <c>t &lt; lengths[b]</c> (time-major, padded to <paramref name="steps"/> with
    /// any valid id), and row b of <paramref name="probabilities"/> [batch, V] receives softmax(h_b·W + b_s), h_b the
    /// top layer's output after the sequence's last token. The recurrence runs over the whole batch (finished rows
    /// keep their state), and the projection of the batch's last hidden states is one GEMM [batch, H]·[H, V]
    /// instead of <paramref name="batch"/> matrix-vector products that each stream all of W from memory.
    /// </summary>
    /// <exception cref="ArgumentException">A length is outside [1, steps], or a buffer has the wrong size.</exception>
    internal void PredictNextBatch(ReadOnlySpan<int> inputs, ReadOnlySpan<int> lengths, int steps, int batch, Span<float> probabilities)
    {
        int h = Config.HiddenSize, vocab = Config.VocabSize;
        if (batch < 1 || steps < 1 || inputs.Length != steps * batch || lengths.Length != batch)
            throw new ArgumentException($"Expected {steps} × {batch} inputs and {batch} lengths, got {inputs.Length} and {lengths.Length}.");
        if (probabilities.Length != batch * vocab)
            throw new ArgumentException($"Room for {probabilities.Length} probabilities given for {batch} × {vocab}.", nameof(probabilities));
        foreach (int length in lengths)
            if (length < 1 || length > steps) throw new ArgumentException($"A length of {length} is outside [1, {steps}].", nameof(lengths));
        Timings?.Start();
        _batchState ??= _recurrent.CreateState(batch);
        _batchState.Resize(batch); // zero
        RunRecurrent(inputs, steps, batch, _batchState, training: false, lengths);
        // The final state holds each row's hidden state after its own last step.
        _logits.Resize(batch, vocab);
        Kernels.Gemm.Multiply(false, false, batch, vocab, h, 1f, _batchState.Hidden.Span, h, _softmax.Weight.Value.Span, vocab, 0f, _logits.Span, vocab);
        Span<float> logits = _logits.Span;
        ReadOnlySpan<float> bias = _softmax.Bias.Value.Span;
        for (int b = 0; b < batch; b++)
        {
            Span<float> row = logits.Slice(b * vocab, vocab);
            System.Numerics.Tensors.TensorPrimitives.Add(row, bias, row);
        }
        Timings?.Lap(LanguageModelPhase.SoftmaxForward);
        Kernels.MathKernels.Softmax(logits, probabilities, batch, vocab);
        Timings?.Lap(LanguageModelPhase.Loss);
    }

    private double Forward(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int steps, int batch, RecurrentState state, bool training, float gradientScale)
    {
        int n = steps * batch;
        if (inputs.Length != n || targets.Length != n)
            throw new ArgumentException($"Expected {n} inputs and targets for {steps} steps × {batch} sequences, got {inputs.Length} and {targets.Length}.");
        Timings?.Start();
        RunRecurrent(inputs, steps, batch, state, training);
        Tensor top = _hidden;
        if (training && Config.KeepProb < 1f)
        {
            _outputDropout.Forward(_hidden, _droppedHidden);
            top = _droppedHidden;
        }
        // logits = top·W, then + b inside the loss pass (the same rounding as Linear.Forward's b-then-accumulate
        // for k ≤ 256, and no separate broadcast of b over all n rows).
        int h = Config.HiddenSize, vocab = Config.VocabSize;
        _logits.Resize(n, vocab);
        Kernels.Gemm.Multiply(false, false, n, vocab, h, 1f, top.Span, h, _softmax.Weight.Value.Span, vocab, 0f, _logits.Span, vocab);
        Timings?.Lap(LanguageModelPhase.SoftmaxForward);
        // In training the logits are overwritten by their gradient (softmax − one-hot) · scale.
        double loss = _loss.Compute(_logits, targets, default, training ? _logits : null, gradientScale, _softmax.Bias.Value.Span);
        Timings?.Lap(LanguageModelPhase.Loss);
        return loss;
    }

    private void RunRecurrent(ReadOnlySpan<int> inputs, int steps, int batch, RecurrentState state, bool training, ReadOnlySpan<int> lengths = default)
    {
        int n = steps * batch;
        int vocab = Config.VocabSize;
        for (int i = 0; i < n; i++)
            if ((uint)inputs[i] >= (uint)vocab)
                throw new ArgumentOutOfRangeException(nameof(inputs), $"Token id {inputs[i]} at position {i} is outside the vocabulary of {vocab}.");
        _input.Resize(steps, batch, Config.EffectiveEmbeddingSize);
        if (_embedding is not null)
        {
            _embedding.Forward(inputs, _input);
        }
        else
        {
            _input.Clear();
            Span<float> x = _input.Span;
            for (int i = 0; i < n; i++) x[i * vocab + inputs[i]] = 1f;
        }
        Tensor x0 = _input;
        // One-hot input is not dropped: a dropped one-hot vector hides the character itself (the Python Machine
        // Learning book's char model drops only the LSTM output, DropoutWrapper(output_keep_prob=keep_prob)).
        if (training && Config.KeepProb < 1f && _embedding is not null)
        {
            _inputDropout.Forward(_input, _droppedInput);
            x0 = _droppedInput;
        }
        _initial ??= _recurrent.CreateState(batch);
        if (_initial.BatchSize != batch) _initial.Resize(batch);
        _initial.CopyFrom(state);
        _recurrent.Training = training;
        Timings?.Lap(LanguageModelPhase.Embedding);
        _recurrent.Forward(x0, _initial, _hidden, state, lengths);
        Timings?.Lap(LanguageModelPhase.RecurrentForward);
    }

    private void Backward(ReadOnlySpan<int> inputs, int steps, int batch)
    {
        bool dropout = Config.KeepProb < 1f;
        Tensor top = dropout ? _droppedHidden : _hidden;
        _softmax.Backward(top, _logits, _hiddenGradient);
        _hiddenGradient.Resize(steps, batch, Config.HiddenSize);
        if (dropout) _outputDropout.Backward(_hiddenGradient, _hiddenGradient);
        Timings?.Lap(LanguageModelPhase.SoftmaxBackward);
        _recurrent.Backward(_hiddenGradient, null, _inputGradient, null);
        Timings?.Lap(LanguageModelPhase.RecurrentBackward);
        if (_embedding is null) return; // one-hot input has nothing to learn
        if (dropout) _inputDropout.Backward(_inputGradient, _inputGradient);
        _embedding.Backward(inputs, _inputGradient);
        Timings?.Lap(LanguageModelPhase.EmbeddingBackward);
    }
}
