using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recurrent.Kernels;
using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>
/// Gated recurrent unit in the cuDNN / PyTorch formulation.
/// </summary>
/// <remarks>
/// <para>
/// With input weight W_i [I, 3H], recurrent weight W_h [H, 3H], biases b_i, b_h [3H] (gate order r, z, n):
/// <code>
/// r = σ(x·W_ir + b_ir + h·W_hr + b_hr)      z = σ(x·W_iz + b_iz + h·W_hz + b_hz)
/// n = tanh(x·W_in + b_in + r⊙(h·W_hn + b_hn))      h' = (1 − z)⊙n + z⊙h
/// </code>
/// </para>
/// <para>
/// Why not TensorFlow's GRUCell: it computes n from (r⊙h)·W_hn, so the candidate's product has to wait for r,
/// which costs two dependent GEMMs per step. Applying r after the product (as cuDNN and PyTorch do) lets one
/// GEMM per step, h·W_h for all three gates, serve the whole recurrence; the two models are equally expressive
/// in practice but their weights are not interchangeable. Input projections of all steps are one GEMM before the
/// loop; backward accumulates dW_i, dW_h and dX with one GEMM each after the loop.
/// </para>
/// </remarks>
internal sealed class Gru : IRecurrentLayer
{
    private readonly Parameter[] _parameters;

    private readonly Tensor _input = new(0);        // [T, B, I]
    private readonly Tensor _gates = new(0);        // [T, B, 3H]: x̂ then activations r, z, n
    private readonly Tensor _candidates = new(0);   // [T, B, H]: ĥ_n = h·W_hn + b_hn
    private readonly Tensor _hiddens = new(0);      // [T+1, B, H]
    private readonly Tensor _projection = new(0);   // [B, 3H]: ĥ of the current step
    private int[] _lengths = [];
    private int _steps, _batch, _minLength;
    private bool _hasForward;

    private readonly Tensor _inputProjectionGradients = new(0);  // [T, B, 3H]
    private readonly Tensor _hiddenProjectionGradients = new(0); // [T, B, 3H]
    private readonly Tensor _dh = new(0), _dhPrevious = new(0);  // [B, H]

    /// <summary>Creates the layer with every parameter drawn uniformly from [−initScale, initScale].</summary>
    /// <param name="name">Parameter name prefix: parameters are "{name}.weight_ih", "{name}.weight_hh", "{name}.bias_ih", "{name}.bias_hh".</param>
    /// <param name="inputSize">Features per input step.</param>
    /// <param name="hiddenSize">Units of the hidden state (and of the output).</param>
    /// <param name="random">Source of the initial weights.</param>
    /// <param name="initScale">Half-width of the uniform initialisation.</param>
    public Gru(string name, int inputSize, int hiddenSize, RandomGenerator random, float initScale)
    {
        if (inputSize <= 0 || hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), "Sizes must be positive.");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        InputWeight = new Parameter(name + ".weight_ih", new Tensor(inputSize, 3 * hiddenSize));
        RecurrentWeight = new Parameter(name + ".weight_hh", new Tensor(hiddenSize, 3 * hiddenSize));
        InputBias = new Parameter(name + ".bias_ih", new Tensor(3 * hiddenSize));
        RecurrentBias = new Parameter(name + ".bias_hh", new Tensor(3 * hiddenSize));
        _parameters = [InputWeight, RecurrentWeight, InputBias, RecurrentBias];
        foreach (var p in _parameters) RecurrentSupport.InitUniform(p.Value, random, initScale);
    }

    public int InputSize { get; }
    public int HiddenSize { get; }
    public int OutputSize => HiddenSize;

    /// <summary>W_i [I, 3H], columns r, z, n (PyTorch's weight_ih_l0 transposed).</summary>
    public Parameter InputWeight { get; }

    /// <summary>W_h [H, 3H], columns r, z, n (PyTorch's weight_hh_l0 transposed).</summary>
    public Parameter RecurrentWeight { get; }

    /// <summary>b_i [3H].</summary>
    public Parameter InputBias { get; }

    /// <summary>b_h [3H]; kept apart from b_i because b_hn sits inside r⊙(…).</summary>
    public Parameter RecurrentBias { get; }

    public IReadOnlyList<Parameter> Parameters => _parameters;

    public RecurrentState CreateState(int batchSize) => new(batchSize, HiddenSize, hasCell: false);

    public void Forward(Tensor input, RecurrentState initial, Tensor output, RecurrentState final, ReadOnlySpan<int> lengths = default)
    {
        int I = InputSize, H = HiddenSize, G = 3 * H;
        var (T, B) = RecurrentSupport.CheckInput(input, I, nameof(Gru));
        RecurrentSupport.CheckState(initial, B, H, false, nameof(Gru));
        _minLength = RecurrentSupport.StoreLengths(lengths, T, B, ref _lengths);
        ReadOnlySpan<int> len = _lengths.AsSpan(0, B);
        _steps = T;
        _batch = B;
        _input.CopyFrom(input);
        _hiddens.Resize(T + 1, B, H);
        initial.Hidden.Span.CopyTo(_hiddens.Slice(0));
        _gates.Resize(T, B, G);
        _candidates.Resize(T, B, H);
        _projection.Resize(B, G);
        output.Resize(T, B, H);

        RecurrentSupport.BroadcastRows(InputBias.Value.Span, _gates.Span, T * B);
        Gemm.Multiply(false, false, T * B, G, I, 1f, _input.Span, I, InputWeight.Value.Span, G, 1f, _gates.Span, G);

        ReadOnlySpan<float> wh = RecurrentWeight.Value.Span;
        for (int t = 0; t < T; t++)
        {
            RecurrentSupport.BroadcastRows(RecurrentBias.Value.Span, _projection.Span, B);
            Gemm.Multiply(false, false, B, G, H, 1f, _hiddens.Slice(t), H, wh, G, 1f, _projection.Span, G);
            GruCell.Forward(B, H, _gates.Slice(t), _projection.Span, _hiddens.Slice(t), _hiddens.Slice(t + 1), _candidates.Slice(t));
            Span<float> outT = output.Slice(t);
            _hiddens.Slice(t + 1).CopyTo(outT);
            if (t >= _minLength)
            {
                RecurrentSupport.CarryInactiveRows(t, len, _hiddens.Slice(t), _hiddens.Slice(t + 1), H);
                RecurrentSupport.ClearInactiveRows(t, len, outT, H);
            }
        }
        RecurrentSupport.WriteState(_hiddens.Slice(T), final.Hidden, B, H);
        _hasForward = true;
    }

    public void Backward(Tensor outputGradient, RecurrentState? finalStateGradient, Tensor inputGradient, RecurrentState? initialStateGradient)
    {
        if (!_hasForward) throw new InvalidOperationException("Gru.Backward needs a Forward first.");
        int I = InputSize, H = HiddenSize, G = 3 * H, T = _steps, B = _batch;
        RecurrentSupport.CheckGradient(outputGradient, T, B, H, nameof(Gru));
        ReadOnlySpan<int> len = _lengths.AsSpan(0, B);
        _inputProjectionGradients.Resize(T, B, G);
        _hiddenProjectionGradients.Resize(T, B, G);
        _dh.Resize(B, H);
        _dhPrevious.Resize(B, H);
        if (finalStateGradient is null) _dh.Clear();
        else
        {
            RecurrentSupport.CheckState(finalStateGradient, B, H, false, nameof(Gru));
            finalStateGradient.Hidden.Span.CopyTo(_dh.Span);
        }

        ReadOnlySpan<float> wh = RecurrentWeight.Value.Span;
        Tensor dh = _dh, dhPrevious = _dhPrevious;
        for (int t = T - 1; t >= 0; t--)
        {
            Span<float> dx = _inputProjectionGradients.Slice(t), dp = _hiddenProjectionGradients.Slice(t);
            ReadOnlySpan<float> dOut = outputGradient.Slice(t);
            if (t < _minLength)
            {
                TensorPrimitives.Add(dh.Span, dOut, dh.Span);
                GruCell.Backward(B, H, _gates.Slice(t), _candidates.Slice(t), _hiddens.Slice(t), dh.Span, dx, dp, dhPrevious.Span);
            }
            else
            {
                for (int b = 0; b < B; b++)
                {
                    int r = b * H;
                    if (t >= len[b])
                    {
                        // Finished row: state passed through unchanged, so its gradient does too.
                        dx.Slice(b * G, G).Clear();
                        dp.Slice(b * G, G).Clear();
                        dh.Span.Slice(r, H).CopyTo(dhPrevious.Span.Slice(r, H));
                        continue;
                    }
                    TensorPrimitives.Add(dh.Span.Slice(r, H), dOut.Slice(r, H), dh.Span.Slice(r, H));
                    GruCell.Backward(1, H, _gates.Slice(t).Slice(b * G, G), _candidates.Slice(t).Slice(r, H), _hiddens.Slice(t).Slice(r, H),
                        dh.Span.Slice(r, H), dx.Slice(b * G, G), dp.Slice(b * G, G), dhPrevious.Span.Slice(r, H));
                }
            }
            // dh_prev = dh'⊙z + dĥ·W_hᵀ (rows that were finished have dĥ = 0).
            Gemm.Multiply(false, true, B, H, G, 1f, dp, G, wh, G, 1f, dhPrevious.Span, H);
            (dh, dhPrevious) = (dhPrevious, dh);
        }
        if (initialStateGradient is not null)
            RecurrentSupport.WriteState(dh.Span, initialStateGradient.Hidden, B, H);

        ReadOnlySpan<float> dxAll = _inputProjectionGradients.Span, dpAll = _hiddenProjectionGradients.Span;
        Gemm.Multiply(true, false, I, G, T * B, 1f, _input.Span, I, dxAll, G, 1f, InputWeight.Gradient.Span, G);
        Gemm.Multiply(true, false, H, G, T * B, 1f, _hiddens.Span, H, dpAll, G, 1f, RecurrentWeight.Gradient.Span, G);
        RecurrentSupport.AddColumnSums(dxAll, T * B, G, InputBias.Gradient.Span);
        RecurrentSupport.AddColumnSums(dpAll, T * B, G, RecurrentBias.Gradient.Span);
        inputGradient.Resize(T, B, I);
        Gemm.Multiply(false, true, T * B, I, G, 1f, dxAll, G, InputWeight.Value.Span, G, 0f, inputGradient.Span, I);
    }
}
