using Recurrent.Kernels;
using Recurrent.Losses;
using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>
/// Rei (2017)'s secondary objective for a bidirectional tagger: the forward half of each token's top state predicts
/// the next word, the backward half the previous one. Per direction d and real token (t, b):
/// <c>m = tanh(h_d[t, b]·W1_d + b1_d)</c>, <c>logits = m·W2_d + b2_d</c> over C word classes, and the loss is
/// <c>weight · Σ_d Σ_(t, b) −log softmax(logits)[y_d(t, b)]</c>, with <c>y_fwd(t, b)</c> the class of word t + 1
/// (the sentence-edge class after the last word) and <c>y_bwd(t, b)</c> the class of word t − 1 (the edge class
/// before the first).
/// </summary>
/// <remarks>
/// <para>Each half has only read its own side of the sentence (the forward half words 0..t, the backward half
/// words t..T−1), so neither sees the word it predicts: only a single bidirectional layer keeps that true, since a
/// second layer's forward half reads the first layer's backward states.</para>
/// <para>Classes: the caller maps every word id to a class (<see cref="WordClasses"/>), usually the most frequent
/// training words, one class for all other words, and the last class, <c>C − 1</c>, for the sentence edges. The
/// heads are trained only; decoding never reads them.</para>
/// </remarks>
internal sealed class NeighbourWordPrediction : IHasParameters
{
    private readonly Linear[] _hidden, _output;
    private readonly SoftmaxCrossEntropy _loss = new();
    private readonly Tensor _half = new(0);            // [n, H]: one direction's states of the real rows
    private readonly Tensor[] _activation = [new(0), new(0)]; // [n, M] per direction
    private readonly Tensor[] _logits = [new(0), new(0)];     // [n, C] per direction; the gradient in place in training
    private readonly Tensor _activationGradient = new(0);
    private readonly Tensor _halfGradient = new(0);
    private int[] _targets = [];

    /// <summary>Heads over a bidirectional state of 2 × <paramref name="directionSize"/>, through <paramref name="size"/> tanh units, to <paramref name="classes"/> classes.</summary>
    public NeighbourWordPrediction(int directionSize, int size, int classes, RandomGenerator random)
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), "At least one word class and the edge class are needed.");
        DirectionSize = directionSize;
        Classes = classes;
        _hidden = [new Linear(directionSize, size, "neighbour_words.forward.hidden"), new Linear(directionSize, size, "neighbour_words.backward.hidden")];
        _output = [new Linear(size, classes, "neighbour_words.forward.output"), new Linear(size, classes, "neighbour_words.backward.output")];
        var parameters = new List<Parameter>();
        for (int d = 0; d < 2; d++)
        {
            Initializers.GlorotUniform(_hidden[d].Weight.Value, random);
            Initializers.GlorotUniform(_output[d].Weight.Value, random);
            parameters.AddRange(_hidden[d].Parameters);
            parameters.AddRange(_output[d].Parameters);
        }
        Parameters = parameters;
    }

    /// <summary>Units per direction of the states read.</summary>
    public int DirectionSize { get; }

    /// <summary>C: word classes, the edge class (the last) included.</summary>
    public int Classes { get; }

    /// <summary>The edge class: the target before the first word and after the last.</summary>
    public int EdgeClass => Classes - 1;

    /// <summary>Class of each word id, each in [0, C − 1); must be set before <see cref="Compute"/>.</summary>
    public int[]? WordClasses { get; set; }

    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The logits [n, C] of direction <paramref name="direction"/> (0 forward, 1 backward) from the last
    /// <see cref="Compute"/> without a gradient, rows in the order of its real rows.</summary>
    internal Tensor Logits(int direction) => _logits[direction];

    /// <summary>
    /// The loss over the real rows of <paramref name="states"/> [T, B, 2H]; with <paramref name="stateGradient"/>
    /// (same shape) also adds <c>d(scale · loss)/d states</c> into it and the parameters' gradients.
    /// </summary>
    /// <param name="states">The top bidirectional layer's output, [forward, backward] per row.</param>
    /// <param name="realRows">The rows t·B + b with t &lt; length_b, in increasing order.</param>
    /// <param name="batch">B.</param>
    /// <param name="lengths">The B sentence lengths.</param>
    /// <param name="words">Word ids per row t·B + b (padding rows are not read).</param>
    /// <param name="weight">The objective's weight in the loss.</param>
    /// <param name="stateGradient">Null for the loss only.</param>
    /// <param name="scale">Factor on the gradient, not on the returned loss.</param>
    /// <returns><c>weight</c> × the summed cross-entropy of both directions (nats).</returns>
    public double Compute(Tensor states, ReadOnlySpan<int> realRows, int batch, ReadOnlySpan<int> lengths, ReadOnlySpan<int> words,
        float weight, Tensor? stateGradient, float scale)
    {
        int[] classes = WordClasses ?? throw new InvalidOperationException("The word classes of the neighbour-word objective are not set.");
        int n = realRows.Length, h = DirectionSize, width = 2 * h;
        if (states.Length % width != 0 || states.Dim(-1) != width)
            throw new ArgumentException($"States {states} do not end in two directions of {h}.", nameof(states));
        if (n == 0) return 0;
        if (_targets.Length < n) _targets = new int[n];
        double total = 0;
        for (int d = 0; d < 2; d++)
        {
            int step = d == 0 ? 1 : -1;
            _half.Resize(n, h);
            ReadOnlySpan<float> s = states.Span;
            Span<float> half = _half.Span;
            for (int i = 0; i < n; i++)
            {
                int row = realRows[i], t = row / batch, b = row - t * batch, neighbour = t + step;
                s.Slice(row * width + d * h, h).CopyTo(half.Slice(i * h, h));
                _targets[i] = neighbour < 0 || neighbour >= lengths[b] ? EdgeClass : ClassOf(classes, words[neighbour * batch + b]);
            }
            Tensor m = _activation[d];
            _hidden[d].Forward(_half, m);
            RnnCell.Forward(m.Span, m.Span);
            _output[d].Forward(m, _logits[d]);
            Tensor? gradient = stateGradient is null ? null : _logits[d];
            total += _loss.Compute(_logits[d], _targets.AsSpan(0, n), default, gradient, scale * weight);
            if (stateGradient is null) continue;

            // dm = dlogits·W2ᵀ, then through tanh: dz = dm ⊙ (1 − m²); dh = dz·W1ᵀ, added into the direction's half.
            _output[d].Backward(m, _logits[d], _activationGradient);
            RnnCell.Backward(m.Span, _activationGradient.Span, _activationGradient.Span);
            _hidden[d].Backward(_half, _activationGradient, _halfGradient);
            ReadOnlySpan<float> dh = _halfGradient.Span;
            Span<float> ds = stateGradient.Span;
            for (int i = 0; i < n; i++)
            {
                Span<float> target = ds.Slice(realRows[i] * width + d * h, h);
                System.Numerics.Tensors.TensorPrimitives.Add(target, dh.Slice(i * h, h), target);
            }
        }
        return weight * total;
    }

    /// <summary>A word outside the map (never in training) counts as one of the other words.</summary>
    private int ClassOf(int[] classes, int word) => (uint)word < (uint)classes.Length ? classes[word] : Classes - 2;
}
