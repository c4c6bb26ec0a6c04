using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recurrent.Kernels;
using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>
/// Long short-term memory layer with TensorFlow BasicLSTMCell semantics (and LSTMCell's optional peepholes).
/// </summary>
/// <remarks>
/// <para>
/// One fused weight W [InputSize + Hidden, 4·Hidden] (rows: the x part, then the h part; columns: gates i, j, f, o)
/// and a bias b [4·Hidden]. Per step, with [x, h] the concatenation:
/// <code>
/// [i, j, f, o] = [x, h]·W + b
/// c' = σ(f + forgetBias)⊙c + σ(i)⊙tanh(j)      h' = σ(o)⊙tanh(c')
/// </code>
/// With peepholes P [3, Hidden] (TF LSTMCell use_peepholes): i += P₀⊙c, f += P₁⊙c, o += P₂⊙c'.
/// </para>
/// <para>
/// The x part does not depend on the recurrence, so the input projections of all T steps are one GEMM
/// ([T·B, I]·W_x + b) before the loop; each step then adds h·W_h (W_h = the last Hidden rows of W,
/// contiguous) and runs the fused <see cref="LstmCell"/> kernel. Backward mirrors this: per step the cell
/// kernel gives the gate gradients and dh = dGates·W_hᵀ; after the loop one GEMM each gives dW_x, dW_h and dX.
/// </para>
/// </remarks>
internal sealed class Lstm : IRecurrentLayer
{
    private readonly Parameter[] _parameters;

    // Forward caches (sized on first use, reused).
    private readonly Tensor _input = new(0);        // [T, B, I] copy of the input
    private readonly Tensor _gates = new(0);        // [T, B, 4H] activated gates
    private readonly Tensor _hiddens = new(0);      // [T+1, B, H]: h before step 0, then after each step
    private readonly Tensor _cells = new(0);        // [T+1, B, H]
    private readonly Tensor _tanhCells = new(0);    // [T, B, H]
    private readonly Tensor _effectiveBias = new(0); // [4H]: bias with the forget bias added to f
    private int[] _lengths = [];
    private int _steps, _batch, _minLength;
    private bool _hasForward;

    // W_h packed for the per-step products (forward: h·W_h; backward: dGates·W_hᵀ), refreshed every call
    // because the weights change between batches; packing once saves re-reading W_h's layout at every step.
    private readonly PackedMatrix _packedRecurrent = new(), _packedRecurrentTransposed = new();

    /// <summary>Steps from which packing W_h once beats reading it in place at every step (a one-token call does not pay for it).</summary>
    private const int PackMinSteps = 4;

    // Backward scratch.
    private readonly Tensor _gateGradients = new(0); // [T, B, 4H]
    private readonly Tensor _dh = new(0), _dhPrevious = new(0), _dc = new(0); // [B, H]

    /// <summary>Creates the layer with every parameter drawn uniformly from [−initScale, initScale] (as TF's ptb_word_lm does).</summary>
    /// <param name="name">Parameter name prefix, e.g. "lstm.0": parameters are "{name}.weight", "{name}.bias" and "{name}.peephole".</param>
    /// <param name="inputSize">Features per input step.</param>
    /// <param name="hiddenSize">Units of the hidden state (and of the output).</param>
    /// <param name="random">Source of the initial weights.</param>
    /// <param name="initScale">Half-width of the uniform initialisation.</param>
    /// <param name="forgetBias">Added to the forget gate's pre-activation (BasicLSTMCell: 1; the PTB presets use 0).</param>
    /// <param name="usePeepholes">Adds the diagonal peephole connections of TF LSTMCell.</param>
    public Lstm(string name, int inputSize, int hiddenSize, RandomGenerator random, float initScale,
        float forgetBias = 1f, bool usePeepholes = false)
    {
        if (inputSize <= 0 || hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), "Sizes must be positive.");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        ForgetBias = forgetBias;
        Weight = new Parameter(name + ".weight", new Tensor(inputSize + hiddenSize, 4 * hiddenSize));
        Bias = new Parameter(name + ".bias", new Tensor(4 * hiddenSize));
        Peephole = usePeepholes ? new Parameter(name + ".peephole", new Tensor(3, hiddenSize)) : null;
        _parameters = Peephole is null ? [Weight, Bias] : [Weight, Bias, Peephole];
        foreach (var p in _parameters) RecurrentSupport.InitUniform(p.Value, random, initScale);
    }

    public int InputSize { get; }
    public int HiddenSize { get; }
    public int OutputSize => HiddenSize;
    public float ForgetBias { get; }

    /// <summary>W [InputSize + Hidden, 4·Hidden], gate columns i, j, f, o.</summary>
    public Parameter Weight { get; }

    /// <summary>b [4·Hidden].</summary>
    public Parameter Bias { get; }

    /// <summary>Peephole weights [3, Hidden] (w_i, w_f, w_o), or null.</summary>
    public Parameter? Peephole { get; }

    public IReadOnlyList<Parameter> Parameters => _parameters;

    public RecurrentState CreateState(int batchSize) => new(batchSize, HiddenSize, hasCell: true);

    public void Forward(Tensor input, RecurrentState initial, Tensor output, RecurrentState final, ReadOnlySpan<int> lengths = default)
    {
        int I = InputSize, H = HiddenSize, G = 4 * H;
        var (T, B) = RecurrentSupport.CheckInput(input, I, nameof(Lstm));
        RecurrentSupport.CheckState(initial, B, H, true, nameof(Lstm));
        _minLength = RecurrentSupport.StoreLengths(lengths, T, B, ref _lengths);
        ReadOnlySpan<int> len = _lengths.AsSpan(0, B);
        _steps = T;
        _batch = B;
        _input.CopyFrom(input);

        _hiddens.Resize(T + 1, B, H);
        _cells.Resize(T + 1, B, H);
        initial.Hidden.Span.CopyTo(_hiddens.Slice(0));
        initial.Cell!.Span.CopyTo(_cells.Slice(0));
        _tanhCells.Resize(T, B, H);
        _gates.Resize(T, B, G);
        output.Resize(T, B, H);

        // Gates of all steps start as b (+ forgetBias on f) + x·W_x: one GEMM for the whole sequence.
        _effectiveBias.Resize(G);
        Bias.Value.Span.CopyTo(_effectiveBias.Span);
        foreach (ref float v in _effectiveBias.Span.Slice(2 * H, H)) v += ForgetBias;
        RecurrentSupport.BroadcastRows(_effectiveBias.Span, _gates.Span, T * B);
        ReadOnlySpan<float> w = Weight.Value.Span;
        Gemm.Multiply(false, false, T * B, G, I, 1f, _input.Span, I, w, G, 1f, _gates.Span, G);

        ReadOnlySpan<float> wh = w.Slice(I * G);
        ReadOnlySpan<float> peephole = Peephole is null ? default : Peephole.Value.Span;
        bool packed = T >= PackMinSteps;
        if (packed) _packedRecurrent.Repack(false, H, G, wh, G);
        for (int t = 0; t < T; t++)
        {
            Span<float> gates = _gates.Slice(t);
            if (packed) Gemm.Multiply(false, B, 1f, _hiddens.Slice(t), H, _packedRecurrent, 1f, gates, G);
            else Gemm.Multiply(false, false, B, G, H, 1f, _hiddens.Slice(t), H, wh, G, 1f, gates, G);
            LstmCell.Forward(B, H, gates, _cells.Slice(t), peephole, _cells.Slice(t + 1), _hiddens.Slice(t + 1), _tanhCells.Slice(t));
            Span<float> outT = output.Slice(t);
            _hiddens.Slice(t + 1).CopyTo(outT);
            if (t >= _minLength)
            {
                // Finished rows keep their state and output zeros.
                RecurrentSupport.CarryInactiveRows(t, len, _hiddens.Slice(t), _hiddens.Slice(t + 1), H);
                RecurrentSupport.CarryInactiveRows(t, len, _cells.Slice(t), _cells.Slice(t + 1), H);
                RecurrentSupport.ClearInactiveRows(t, len, outT, H);
            }
        }
        RecurrentSupport.WriteState(_hiddens.Slice(T), final.Hidden, B, H);
        RecurrentSupport.WriteState(_cells.Slice(T), final.Cell ?? throw new ArgumentException("Lstm: final state needs a cell."), B, H);
        _hasForward = true;
    }

    public void Backward(Tensor outputGradient, RecurrentState? finalStateGradient, Tensor inputGradient, RecurrentState? initialStateGradient)
    {
        if (!_hasForward) throw new InvalidOperationException("Lstm.Backward needs a Forward first.");
        int I = InputSize, H = HiddenSize, G = 4 * H, T = _steps, B = _batch;
        RecurrentSupport.CheckGradient(outputGradient, T, B, H, nameof(Lstm));
        ReadOnlySpan<int> len = _lengths.AsSpan(0, B);
        _gateGradients.Resize(T, B, G);
        _dh.Resize(B, H);
        _dhPrevious.Resize(B, H);
        _dc.Resize(B, H);
        if (finalStateGradient is null) { _dh.Clear(); _dc.Clear(); }
        else
        {
            RecurrentSupport.CheckState(finalStateGradient, B, H, true, nameof(Lstm));
            finalStateGradient.Hidden.Span.CopyTo(_dh.Span);
            finalStateGradient.Cell!.Span.CopyTo(_dc.Span);
        }

        ReadOnlySpan<float> w = Weight.Value.Span;
        ReadOnlySpan<float> wh = w.Slice(I * G);
        ReadOnlySpan<float> peephole = Peephole is null ? default : Peephole.Value.Span;
        Span<float> peepholeGradient = Peephole is null ? default : Peephole.Gradient.Span;
        Tensor dh = _dh, dhPrevious = _dhPrevious;
        bool packed = T >= PackMinSteps;
        if (packed) _packedRecurrentTransposed.Repack(true, G, H, wh, G);
        for (int t = T - 1; t >= 0; t--)
        {
            Span<float> dGates = _gateGradients.Slice(t);
            ReadOnlySpan<float> dOut = outputGradient.Slice(t);
            if (t < _minLength)
            {
                TensorPrimitives.Add(dh.Span, dOut, dh.Span);
                LstmCell.Backward(B, H, _gates.Slice(t), _cells.Slice(t), _cells.Slice(t + 1), _tanhCells.Slice(t), peephole,
                    dh.Span, _dc.Span, dGates, peepholeGradient);
            }
            else
            {
                // Rows past their length passed h and c through unchanged: their gradients pass straight back.
                for (int b = 0; b < B; b++)
                {
                    int r = b * H;
                    if (t >= len[b]) { dGates.Slice(b * G, G).Clear(); continue; }
                    TensorPrimitives.Add(dh.Span.Slice(r, H), dOut.Slice(r, H), dh.Span.Slice(r, H));
                    LstmCell.Backward(1, H, _gates.Slice(t).Slice(b * G, G), _cells.Slice(t).Slice(r, H), _cells.Slice(t + 1).Slice(r, H),
                        _tanhCells.Slice(t).Slice(r, H), peephole, dh.Span.Slice(r, H), _dc.Span.Slice(r, H), dGates.Slice(b * G, G), peepholeGradient);
                }
            }
            if (packed) Gemm.Multiply(false, B, 1f, dGates, G, _packedRecurrentTransposed, 0f, dhPrevious.Span, H);
            else Gemm.Multiply(false, true, B, H, G, 1f, dGates, G, wh, G, 0f, dhPrevious.Span, H);
            if (t >= _minLength) RecurrentSupport.CarryInactiveRows(t, len, dh.Span, dhPrevious.Span, H);
            (dh, dhPrevious) = (dhPrevious, dh);
        }
        if (initialStateGradient is not null)
        {
            RecurrentSupport.WriteState(dh.Span, initialStateGradient.Hidden, B, H);
            RecurrentSupport.WriteState(_dc.Span, initialStateGradient.Cell ?? throw new ArgumentException("Lstm: state gradient needs a cell."), B, H);
        }

        // Weight gradients over all steps at once: dW_x += Xᵀ·dGates, dW_h += H_prevᵀ·dGates, db += Σ dGates.
        ReadOnlySpan<float> dGatesAll = _gateGradients.Span;
        Span<float> dw = Weight.Gradient.Span;
        Gemm.Multiply(true, false, I, G, T * B, 1f, _input.Span, I, dGatesAll, G, 1f, dw, G);
        Gemm.Multiply(true, false, H, G, T * B, 1f, _hiddens.Span, H, dGatesAll, G, 1f, dw.Slice(I * G), G);
        RecurrentSupport.AddColumnSums(dGatesAll, T * B, G, Bias.Gradient.Span);
        inputGradient.Resize(T, B, I);
        Gemm.Multiply(false, true, T * B, I, G, 1f, dGatesAll, G, w, G, 0f, inputGradient.Span, I);
    }
}
