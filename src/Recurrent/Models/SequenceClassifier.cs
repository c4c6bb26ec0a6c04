using Recurrent.Layers;
using Recurrent.Losses;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// A many-to-one sequence classifier: embedding (or one-hot input) → recurrent layers over the real lengths →
/// a head (last relevant output, mean, max, or both directions' ends) → dropout → linear → softmax cross-entropy
/// over the classes, or one sigmoid logit with binary cross-entropy.
/// </summary>
/// <remarks>
/// Batches are padded and time-major: token <c>[t, b]</c> at index <c>t · B + b</c>, with the real length of each
/// sequence (empty lengths: all T steps are real, as with the book's left padding). Steps past a sequence's
/// length leave its state alone and output zeros, and the heads read only real steps, so a sequence gets the same
/// outputs and gradients whatever it is batched with. Buffers are owned and reused; a batch allocates nothing
/// once shapes are seen.
/// </remarks>
public sealed class SequenceClassifier : IModel
{
    private readonly Embedding? _embedding;
    private readonly StackedRecurrent _recurrent;
    private readonly Dropout _dropout, _inputDropout;
    private readonly Linear _output;
    private readonly SoftmaxCrossEntropy _softmaxLoss = new();
    private readonly SigmoidBinaryCrossEntropy _sigmoidLoss = new();
    private readonly Parameter[] _parameters, _trainable;

    private readonly Tensor _input = new(0);          // [T, B, E]
    private readonly Tensor _droppedInput = new(0);   // [T, B, E] after input dropout
    private readonly Tensor _outputs = new(0);        // [T, B, R]
    private readonly Tensor _pooled = new(0);         // [B, R]
    private readonly Tensor _dropped = new(0);        // [B, R] after dropout
    private readonly Tensor _logits = new(0);         // [B, C]; the logit gradient after a training step
    private readonly Tensor _pooledGradient = new(0);
    private readonly Tensor _outputsGradient = new(0);
    private readonly Tensor _inputGradient = new(0);
    private RecurrentState _initial, _final;
    private int[] _argmax = [];
    private float[] _sigmoidTargets = [];
    private int[] _lengths = [];
    private bool _hasLengths;
    private int _steps, _batch;

    /// <summary>Builds the model with weights drawn from a generator seeded by <c>config.seed</c>.</summary>
    /// <exception cref="RecurrentException">The config is invalid (the message names the setting).</exception>
    public SequenceClassifier(SequenceClassifierConfig config)
    {
        config.Validate();
        // Before anything is allocated: weights too large for the machine, or for one array, are refused with figures.
        MemoryBudget.Require(MemoryEstimate.For(config, steps: 1, batch: 1).WeightsOnly);
        Config = config;
        Random = new RandomGenerator(config.Seed);
        var parameters = new List<Parameter>();
        if (!config.OneHot)
        {
            _embedding = new Embedding(config.VocabSize, config.EmbeddingSize, "embedding");
            Initializers.Uniform(_embedding.Weight.Value, config.EmbeddingInitScale, Random);
            parameters.AddRange(_embedding.Parameters);
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
        _output = new Linear(config.RecurrentOutputSize, config.Outputs, "output");
        Initializers.GlorotUniform(_output.Weight.Value, Random);
        parameters.AddRange(_output.Parameters);
        _dropout = new Dropout(config.KeepProb, Random);
        _inputDropout = new Dropout(config.InputKeepProb, Random);
        _parameters = parameters.ToArray();
        _trainable = config.FreezeEmbeddings && _embedding is not null
            ? _parameters.Where(p => p != _embedding.Weight).ToArray()
            : _parameters;
        _initial = _recurrent.CreateState(1);
        _final = _recurrent.CreateState(1);
    }

    private IRecurrentLayer Cell(string name, int inputSize) => Config.Cell switch
    {
        CellKind.Lstm => new Lstm(name, inputSize, Config.HiddenSize, Random, Config.InitScale, Config.ForgetBias),
        CellKind.Gru => new Gru(name, inputSize, Config.HiddenSize, Random, Config.InitScale),
        CellKind.Rnn => new SimpleRnn(name, inputSize, Config.HiddenSize, Random, Config.InitScale),
        _ => throw new RecurrentException($"Unknown cell '{Config.Cell}'."),
    };

    /// <summary>The hyper-parameters the model was built with.</summary>
    public SequenceClassifierConfig Config { get; }

    /// <inheritdoc/>
    public RandomGenerator Random { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> TrainableParameters => _trainable;

    /// <inheritdoc/>
    public string ConfigJson => Config.ToJson();

    /// <summary>The embedding table [vocab, E], for loading pretrained vectors; null with one-hot input.</summary>
    public Parameter? EmbeddingWeight => _embedding?.Weight;

    /// <summary>A model for inference over this model's weights (shared, not copied), with buffers of its own.</summary>
    public SequenceClassifier CreateInference()
    {
        var copy = new SequenceClassifier(Config);
        ModelExtensions.ShareWeights(copy, this);
        return copy;
    }

    /// <summary>
    /// Forward and backward of one training batch: the gradient of <c>gradientScale · Σ losses</c> is accumulated
    /// into the trainable parameters' gradients.
    /// </summary>
    /// <param name="tokens">[T·B] time-major token ids (padding: any valid id, usually 0).</param>
    /// <param name="lengths">B real lengths, or empty when all T steps are real.</param>
    /// <param name="labels">B class ids.</param>
    /// <returns>The summed loss (nats) over the batch.</returns>
    public double TrainBatch(ReadOnlySpan<int> tokens, int steps, int batch, ReadOnlySpan<int> lengths, ReadOnlySpan<int> labels, float gradientScale)
    {
        double loss = Forward(tokens, steps, batch, lengths, labels, training: true, gradientScale, default);
        Backward(tokens);
        return loss;
    }

    /// <summary>
    /// Forward pass with dropout off. Writes the class probabilities [B, classes] into <paramref name="probabilities"/>
    /// (when not empty) and returns the summed loss against <paramref name="labels"/> (0 when labels are empty).
    /// </summary>
    public double Evaluate(ReadOnlySpan<int> tokens, int steps, int batch, ReadOnlySpan<int> lengths, ReadOnlySpan<int> labels, Span<float> probabilities) =>
        Forward(tokens, steps, batch, lengths, labels, training: false, 0f, probabilities);

    private double Forward(ReadOnlySpan<int> tokens, int steps, int batch, ReadOnlySpan<int> lengths, ReadOnlySpan<int> labels,
        bool training, float gradientScale, Span<float> probabilities)
    {
        SequenceClassifierConfig c = Config;
        if (tokens.Length != steps * batch) throw new ArgumentException($"Expected {steps * batch} tokens for {steps} steps × {batch} sequences, got {tokens.Length}.", nameof(tokens));
        if (!lengths.IsEmpty && lengths.Length != batch) throw new ArgumentException($"Expected {batch} lengths, got {lengths.Length}.", nameof(lengths));
        if (training && labels.Length != batch) throw new ArgumentException($"Expected {batch} labels, got {labels.Length}.", nameof(labels));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)c.Classes) throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[i]} is outside [0, {c.Classes}).");
        _steps = steps;
        _batch = batch;
        _hasLengths = !lengths.IsEmpty;
        if (_lengths.Length < batch) _lengths = new int[batch];
        lengths.CopyTo(_lengths);
        ReadOnlySpan<int> lens = Lengths;

        _input.Resize(steps, batch, c.InputSize);
        if (_embedding is not null) _embedding.Forward(tokens, _input);
        else
        {
            for (int i = 0; i < tokens.Length; i++)
                if ((uint)tokens[i] >= (uint)c.VocabSize) throw new ArgumentOutOfRangeException(nameof(tokens), $"Token id {tokens[i]} is outside the vocabulary of {c.VocabSize}.");
            _input.Clear();
            Span<float> x = _input.Span;
            for (int i = 0; i < tokens.Length; i++) x[i * c.VocabSize + tokens[i]] = 1f;
        }
        Tensor recurrentInput = _input;
        _inputDropout.Training = training;
        if (training && c.InputKeepProb < 1f)
        {
            _inputDropout.Forward(_input, _droppedInput);
            recurrentInput = _droppedInput;
        }
        if (_initial.BatchSize != batch) { _initial.Resize(batch); _final.Resize(batch); }
        else _initial.Clear();
        _recurrent.Training = training;
        _recurrent.Forward(recurrentInput, _initial, _outputs, _final, lens);

        switch (c.Head)
        {
            case ClassifierHead.Last: SequenceOps.SelectLast(_outputs, lens, _pooled); break;
            case ClassifierHead.Mean: SequencePooling.Mean(_outputs, lens, _pooled); break;
            case ClassifierHead.Max:
                if (_argmax.Length < batch * c.RecurrentOutputSize) _argmax = new int[batch * c.RecurrentOutputSize];
                SequencePooling.Max(_outputs, lens, _pooled, _argmax);
                break;
            case ClassifierHead.BiLast: SequencePooling.BidirectionalLast(_outputs, lens, c.HiddenSize, _pooled); break;
        }
        Tensor features = _pooled;
        _dropout.Training = training;
        if (training && c.KeepProb < 1f)
        {
            _dropout.Forward(_pooled, _dropped);
            features = _dropped;
        }
        _output.Forward(features, _logits);

        double loss = 0;
        if (c.SigmoidOutput)
        {
            if (_sigmoidTargets.Length < batch) _sigmoidTargets = new float[batch];
            for (int b = 0; b < labels.Length; b++) _sigmoidTargets[b] = labels[b];
            if (!labels.IsEmpty)
                loss = _sigmoidLoss.Compute(_logits, _sigmoidTargets.AsSpan(0, batch), default, training ? _logits : null, gradientScale);
            if (!probabilities.IsEmpty)
            {
                ReadOnlySpan<float> z = _logits.Span;
                for (int b = 0; b < batch; b++)
                {
                    // σ(z) computed on the side that cannot overflow.
                    double p = z[b] >= 0 ? 1 / (1 + Math.Exp(-z[b])) : Math.Exp(z[b]) / (1 + Math.Exp(z[b]));
                    probabilities[2 * b] = (float)(1 - p);
                    probabilities[2 * b + 1] = (float)p;
                }
            }
        }
        else
        {
            if (!probabilities.IsEmpty) Kernels.MathKernels.Softmax(_logits.Span, probabilities[..(batch * c.Classes)], batch, c.Classes);
            if (!labels.IsEmpty)
                loss = _softmaxLoss.Compute(_logits, labels, default, training ? _logits : null, gradientScale);
        }
        return loss;
    }

    private ReadOnlySpan<int> Lengths => _hasLengths ? _lengths.AsSpan(0, _batch) : default;

    private void Backward(ReadOnlySpan<int> tokens)
    {
        SequenceClassifierConfig c = Config;
        bool dropout = c.KeepProb < 1f;
        Tensor features = dropout ? _dropped : _pooled;
        _output.Backward(features, _logits, _pooledGradient);
        _pooledGradient.Resize(_batch, c.RecurrentOutputSize);
        if (dropout) _dropout.Backward(_pooledGradient, _pooledGradient);
        ReadOnlySpan<int> lens = Lengths;
        switch (c.Head)
        {
            case ClassifierHead.Last: SequenceOps.SelectLastBackward(_pooledGradient, lens, _steps, _outputsGradient); break;
            case ClassifierHead.Mean: SequencePooling.MeanBackward(_pooledGradient, lens, _steps, _outputsGradient); break;
            case ClassifierHead.Max: SequencePooling.MaxBackward(_pooledGradient, _argmax, _steps, _outputsGradient); break;
            case ClassifierHead.BiLast: SequencePooling.BidirectionalLastBackward(_pooledGradient, lens, c.HiddenSize, _steps, _outputsGradient); break;
        }
        _recurrent.Backward(_outputsGradient, null, _inputGradient, null);
        if (_embedding is null || c.FreezeEmbeddings) return;
        if (c.InputKeepProb < 1f) _inputDropout.Backward(_inputGradient, _inputGradient);
        _embedding.Backward(tokens, _inputGradient);
    }
}
