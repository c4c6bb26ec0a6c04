using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>
/// Runs one layer forward in time and another over each sequence reversed within its own length
/// (tf.reverse_sequence), and concatenates their outputs on the feature axis: [forward, backward].
/// </summary>
/// <remarks>
/// The backward direction's output at step t is aligned with the input at step t (it is reversed back), and its
/// final state is the state after reading step 0. The state is composite: Parts[0] forward, Parts[1] backward.
/// </remarks>
internal sealed class Bidirectional : IRecurrentLayer
{
    private readonly IRecurrentLayer _forward, _backward;
    private readonly Parameter[] _parameters;
    private int[] _lengths = [];
    private int _batch;
    private bool _hasLengths;

    private readonly Tensor _reversedInput = new(0);
    private readonly Tensor _forwardOutput = new(0);
    private readonly Tensor _reversedOutput = new(0);
    private readonly Tensor _backwardOutput = new(0);
    private readonly Tensor _forwardGradient = new(0);
    private readonly Tensor _backwardGradient = new(0);
    private readonly Tensor _reversedGradient = new(0);
    private readonly Tensor _reversedInputGradient = new(0);
    private readonly Tensor _backwardInputGradient = new(0);

    public Bidirectional(IRecurrentLayer forward, IRecurrentLayer backward)
    {
        if (forward.InputSize != backward.InputSize)
            throw new ArgumentException($"Both directions must read the same input size ({forward.InputSize} vs {backward.InputSize}).", nameof(backward));
        _forward = forward;
        _backward = backward;
        _parameters = [.. forward.Parameters, .. backward.Parameters];
    }

    public IRecurrentLayer ForwardLayer => _forward;
    public IRecurrentLayer BackwardLayer => _backward;
    public int InputSize => _forward.InputSize;
    public int OutputSize => _forward.OutputSize + _backward.OutputSize;
    public IReadOnlyList<Parameter> Parameters => _parameters;

    public RecurrentState CreateState(int batchSize) => new(_forward.CreateState(batchSize), _backward.CreateState(batchSize));

    private ReadOnlySpan<int> Lengths => _hasLengths ? _lengths.AsSpan(0, _batch) : default;

    public void Forward(Tensor input, RecurrentState initial, Tensor output, RecurrentState final, ReadOnlySpan<int> lengths = default)
    {
        RecurrentSupport.CheckParts(initial, 2, nameof(Bidirectional));
        RecurrentSupport.CheckParts(final, 2, nameof(Bidirectional));
        var (steps, batch) = RecurrentSupport.CheckInput(input, InputSize, nameof(Bidirectional));
        RecurrentSupport.StoreLengths(lengths, steps, batch, ref _lengths);
        _batch = batch;
        _hasLengths = !lengths.IsEmpty;

        SequenceOps.ReverseSequences(input, Lengths, _reversedInput);
        _forward.Forward(input, initial.Parts[0], _forwardOutput, final.Parts[0], lengths);
        _backward.Forward(_reversedInput, initial.Parts[1], _reversedOutput, final.Parts[1], lengths);
        SequenceOps.ReverseSequences(_reversedOutput, Lengths, _backwardOutput);

        int f = _forward.OutputSize, b = _backward.OutputSize;
        output.Resize(steps, batch, f + b);
        for (int row = 0; row < steps * batch; row++)
        {
            _forwardOutput.Span.Slice(row * f, f).CopyTo(output.Span.Slice(row * (f + b), f));
            _backwardOutput.Span.Slice(row * b, b).CopyTo(output.Span.Slice(row * (f + b) + f, b));
        }
    }

    public void Backward(Tensor outputGradient, RecurrentState? finalStateGradient, Tensor inputGradient, RecurrentState? initialStateGradient)
    {
        int f = _forward.OutputSize, b = _backward.OutputSize;
        if (outputGradient.Rank != 3 || outputGradient.Dim(2) != f + b)
            throw new ArgumentException($"Bidirectional: output gradient must be [time, batch, {f + b}], got {outputGradient}.", nameof(outputGradient));
        int steps = outputGradient.Dim(0), batch = outputGradient.Dim(1);
        _forwardGradient.Resize(steps, batch, f);
        _backwardGradient.Resize(steps, batch, b);
        for (int row = 0; row < steps * batch; row++)
        {
            outputGradient.Span.Slice(row * (f + b), f).CopyTo(_forwardGradient.Span.Slice(row * f, f));
            outputGradient.Span.Slice(row * (f + b) + f, b).CopyTo(_backwardGradient.Span.Slice(row * b, b));
        }
        SequenceOps.ReverseSequences(_backwardGradient, Lengths, _reversedGradient);

        _forward.Backward(_forwardGradient, finalStateGradient?.Parts[0], inputGradient, initialStateGradient?.Parts[0]);
        _backward.Backward(_reversedGradient, finalStateGradient?.Parts[1], _reversedInputGradient, initialStateGradient?.Parts[1]);
        SequenceOps.ReverseSequences(_reversedInputGradient, Lengths, _backwardInputGradient);
        TensorPrimitives.Add(inputGradient.Span, _backwardInputGradient.Span, inputGradient.Span);
    }
}
