using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recurrent.Kernels;
using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>
/// Elman recurrent layer with tanh (TensorFlow BasicRNNCell): h' = tanh([x, h]·W + b).
/// </summary>
/// <remarks>
/// W [InputSize + Hidden, Hidden] (x rows, then h rows), b [Hidden]. As in <see cref="Lstm"/>, the input
/// projections of all steps are one GEMM before the recurrence and the weight gradients one GEMM each after it.
/// </remarks>
internal sealed class SimpleRnn : IRecurrentLayer
{
    private readonly Parameter[] _parameters;

    private readonly Tensor _input = new(0);    // [T, B, I]
    private readonly Tensor _hiddens = new(0);  // [T+1, B, H]
    private readonly Tensor _preActivation = new(0); // [B, H] scratch of the current step
    private int[] _lengths = [];
    private int _steps, _batch, _minLength;
    private bool _hasForward;

    private readonly Tensor _preActivationGradients = new(0); // [T, B, H]
    private readonly Tensor _dh = new(0), _dhPrevious = new(0);

    /// <summary>Creates the layer with every parameter drawn uniformly from [−initScale, initScale].</summary>
    /// <param name="name">Parameter name prefix: parameters are "{name}.weight" and "{name}.bias".</param>
    /// <param name="inputSize">Features per input step.</param>
    /// <param name="hiddenSize">Units of the hidden state (and of the output).</param>
    /// <param name="random">Source of the initial weights.</param>
    /// <param name="initScale">Half-width of the uniform initialisation.</param>
    public SimpleRnn(string name, int inputSize, int hiddenSize, RandomGenerator random, float initScale)
    {
        if (inputSize <= 0 || hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), "Sizes must be positive.");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        Weight = new Parameter(name + ".weight", new Tensor(inputSize + hiddenSize, hiddenSize));
        Bias = new Parameter(name + ".bias", new Tensor(hiddenSize));
        _parameters = [Weight, Bias];
        foreach (var p in _parameters) RecurrentSupport.InitUniform(p.Value, random, initScale);
    }

    public int InputSize { get; }
    public int HiddenSize { get; }
    public int OutputSize => HiddenSize;

    /// <summary>W [InputSize + Hidden, Hidden].</summary>
    public Parameter Weight { get; }

    /// <summary>b [Hidden].</summary>
    public Parameter Bias { get; }

    public IReadOnlyList<Parameter> Parameters => _parameters;

    public RecurrentState CreateState(int batchSize) => new(batchSize, HiddenSize, hasCell: false);

    public void Forward(Tensor input, RecurrentState initial, Tensor output, RecurrentState final, ReadOnlySpan<int> lengths = default)
    {
        int I = InputSize, H = HiddenSize;
        var (T, B) = RecurrentSupport.CheckInput(input, I, nameof(SimpleRnn));
        RecurrentSupport.CheckState(initial, B, H, false, nameof(SimpleRnn));
        _minLength = RecurrentSupport.StoreLengths(lengths, T, B, ref _lengths);
        ReadOnlySpan<int> len = _lengths.AsSpan(0, B);
        _steps = T;
        _batch = B;
        _input.CopyFrom(input);
        _hiddens.Resize(T + 1, B, H);
        initial.Hidden.Span.CopyTo(_hiddens.Slice(0));
        output.Resize(T, B, H);

        // Input projections of all steps land in h_1..h_T, which each step then completes in place.
        Span<float> projections = _hiddens.Span.Slice(B * H);
        RecurrentSupport.BroadcastRows(Bias.Value.Span, projections, T * B);
        ReadOnlySpan<float> w = Weight.Value.Span;
        Gemm.Multiply(false, false, T * B, H, I, 1f, _input.Span, I, w, H, 1f, projections, H);

        ReadOnlySpan<float> wh = w.Slice(I * H);
        for (int t = 0; t < T; t++)
        {
            Span<float> next = _hiddens.Slice(t + 1);
            Gemm.Multiply(false, false, B, H, H, 1f, _hiddens.Slice(t), H, wh, H, 1f, next, H);
            RnnCell.Forward(next, next);
            Span<float> outT = output.Slice(t);
            next.CopyTo(outT);
            if (t >= _minLength)
            {
                RecurrentSupport.CarryInactiveRows(t, len, _hiddens.Slice(t), next, H);
                RecurrentSupport.ClearInactiveRows(t, len, outT, H);
            }
        }
        RecurrentSupport.WriteState(_hiddens.Slice(T), final.Hidden, B, H);
        _hasForward = true;
    }

    public void Backward(Tensor outputGradient, RecurrentState? finalStateGradient, Tensor inputGradient, RecurrentState? initialStateGradient)
    {
        if (!_hasForward) throw new InvalidOperationException("SimpleRnn.Backward needs a Forward first.");
        int I = InputSize, H = HiddenSize, T = _steps, B = _batch;
        RecurrentSupport.CheckGradient(outputGradient, T, B, H, nameof(SimpleRnn));
        ReadOnlySpan<int> len = _lengths.AsSpan(0, B);
        _preActivationGradients.Resize(T, B, H);
        _dh.Resize(B, H);
        _dhPrevious.Resize(B, H);
        if (finalStateGradient is null) _dh.Clear();
        else
        {
            RecurrentSupport.CheckState(finalStateGradient, B, H, false, nameof(SimpleRnn));
            finalStateGradient.Hidden.Span.CopyTo(_dh.Span);
        }

        ReadOnlySpan<float> w = Weight.Value.Span;
        ReadOnlySpan<float> wh = w.Slice(I * H);
        Tensor dh = _dh, dhPrevious = _dhPrevious;
        for (int t = T - 1; t >= 0; t--)
        {
            Span<float> da = _preActivationGradients.Slice(t);
            ReadOnlySpan<float> dOut = outputGradient.Slice(t);
            if (t < _minLength) TensorPrimitives.Add(dh.Span, dOut, dh.Span);
            else
            {
                for (int b = 0; b < B; b++)
                {
                    int r = b * H;
                    if (t < len[b]) TensorPrimitives.Add(dh.Span.Slice(r, H), dOut.Slice(r, H), dh.Span.Slice(r, H));
                }
            }
            RnnCell.Backward(_hiddens.Slice(t + 1), dh.Span, da);
            if (t >= _minLength) RecurrentSupport.ClearInactiveRows(t, len, da, H);
            Gemm.Multiply(false, true, B, H, H, 1f, da, H, wh, H, 0f, dhPrevious.Span, H);
            // Finished rows passed their state through unchanged, so their gradient passes through too.
            if (t >= _minLength) RecurrentSupport.CarryInactiveRows(t, len, dh.Span, dhPrevious.Span, H);
            (dh, dhPrevious) = (dhPrevious, dh);
        }
        if (initialStateGradient is not null)
            RecurrentSupport.WriteState(dh.Span, initialStateGradient.Hidden, B, H);

        ReadOnlySpan<float> daAll = _preActivationGradients.Span;
        Span<float> dw = Weight.Gradient.Span;
        Gemm.Multiply(true, false, I, H, T * B, 1f, _input.Span, I, daAll, H, 1f, dw, H);
        Gemm.Multiply(true, false, H, H, T * B, 1f, _hiddens.Span, H, daAll, H, 1f, dw.Slice(I * H), H);
        RecurrentSupport.AddColumnSums(daAll, T * B, H, Bias.Gradient.Span);
        inputGradient.Resize(T, B, I);
        Gemm.Multiply(false, true, T * B, I, H, 1f, daAll, H, w, H, 0f, inputGradient.Span, I);
    }
}
