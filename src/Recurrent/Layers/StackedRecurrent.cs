using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>
/// Recurrent layers one over the other, layer l's output being layer l+1's input, with optional dropout between
/// them (Zaremba et al. 2014: only on the non-recurrent connections; dropout on the stack's own input and output
/// belongs to the model around it).
/// </summary>
/// <remarks>
/// The state is composite: <see cref="RecurrentState.Parts"/>[l] is layer l's state (bottom first).
/// </remarks>
internal sealed class StackedRecurrent : IRecurrentLayer
{
    private readonly IRecurrentLayer[] _layers;
    private readonly Dropout[] _dropouts;   // one per gap between layers, empty without dropout
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _outputs;     // outputs of layers 0 … n−2 (after dropout, in place)
    private readonly Tensor[] _gradients = [new(0), new(0)]; // ping-pong buffers for backward

    /// <param name="layers">Bottom first; each layer's OutputSize must equal the next one's InputSize.</param>
    /// <param name="keepProbability">Keep probability of the dropout between layers; 1 for none.</param>
    /// <param name="random">Source of dropout masks; required when <paramref name="keepProbability"/> &lt; 1.</param>
    /// <param name="variationalDropout">One mask per sequence batch for all time steps instead of one per element.</param>
    public StackedRecurrent(IReadOnlyList<IRecurrentLayer> layers, float keepProbability = 1f, RandomGenerator? random = null, bool variationalDropout = false)
    {
        if (layers.Count == 0) throw new ArgumentException("A stack needs at least one layer.", nameof(layers));
        _layers = new IRecurrentLayer[layers.Count];
        var parameters = new List<Parameter>();
        for (int l = 0; l < layers.Count; l++)
        {
            _layers[l] = layers[l];
            if (l > 0 && layers[l - 1].OutputSize != layers[l].InputSize)
                throw new ArgumentException($"Layer {l - 1} outputs {layers[l - 1].OutputSize} features but layer {l} expects {layers[l].InputSize}.", nameof(layers));
            parameters.AddRange(layers[l].Parameters);
        }
        _parameters = parameters.ToArray();
        _outputs = new Tensor[layers.Count - 1];
        for (int l = 0; l < _outputs.Length; l++) _outputs[l] = new Tensor(0);
        if (keepProbability < 1f)
        {
            if (random is null) throw new ArgumentNullException(nameof(random), "Dropout needs a random generator.");
            _dropouts = new Dropout[layers.Count - 1];
            for (int l = 0; l < _dropouts.Length; l++) _dropouts[l] = new Dropout(keepProbability, random, variationalDropout);
        }
        else _dropouts = [];
    }

    public IReadOnlyList<IRecurrentLayer> Layers => _layers;
    public int InputSize => _layers[0].InputSize;
    public int OutputSize => _layers[^1].OutputSize;
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Whether the dropout between layers is active (false at evaluation).</summary>
    public bool Training
    {
        get => _dropouts.Length == 0 || _dropouts[0].Training;
        set { foreach (var d in _dropouts) d.Training = value; }
    }

    public RecurrentState CreateState(int batchSize)
    {
        var parts = new RecurrentState[_layers.Length];
        for (int l = 0; l < parts.Length; l++) parts[l] = _layers[l].CreateState(batchSize);
        return new RecurrentState(parts);
    }

    public void Forward(Tensor input, RecurrentState initial, Tensor output, RecurrentState final, ReadOnlySpan<int> lengths = default)
    {
        RecurrentSupport.CheckParts(initial, _layers.Length, nameof(StackedRecurrent));
        RecurrentSupport.CheckParts(final, _layers.Length, nameof(StackedRecurrent));
        Tensor x = input;
        for (int l = 0; l < _layers.Length; l++)
        {
            Tensor y = l == _layers.Length - 1 ? output : _outputs[l];
            _layers[l].Forward(x, initial.Parts[l], y, final.Parts[l], lengths);
            if (l < _dropouts.Length) _dropouts[l].Forward(y, y);
            x = y;
        }
    }

    public void Backward(Tensor outputGradient, RecurrentState? finalStateGradient, Tensor inputGradient, RecurrentState? initialStateGradient)
    {
        if (finalStateGradient is not null) RecurrentSupport.CheckParts(finalStateGradient, _layers.Length, nameof(StackedRecurrent));
        if (initialStateGradient is not null) RecurrentSupport.CheckParts(initialStateGradient, _layers.Length, nameof(StackedRecurrent));
        Tensor dy = outputGradient;
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            // Layer l reads the buffer layer l+1 wrote and writes the other one.
            Tensor dx = l == 0 ? inputGradient : _gradients[l % 2];
            _layers[l].Backward(dy, finalStateGradient?.Parts[l], dx, initialStateGradient?.Parts[l]);
            if (l > 0 && l - 1 < _dropouts.Length) _dropouts[l - 1].Backward(dx, dx);
            dy = dx;
        }
    }
}
