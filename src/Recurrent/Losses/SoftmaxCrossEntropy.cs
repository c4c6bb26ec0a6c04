using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recurrent.Kernels;
using Recurrent.Tensors;

namespace Recurrent.Losses;

/// <summary>
/// Softmax cross-entropy over the rows of logits [n, V] against integer targets, fused with its gradient.
/// </summary>
/// <remarks>
/// <para>Per row r with weight w_r (1 when no weights are given, 0 masks the row out) and
/// <c>lse_r = m_r + log Σ_j e^(x[r, j] − m_r)</c>, <c>m_r = max_j x[r, j]</c>:</para>
/// <para><c>loss_r = w_r · (lse_r − x[r, t_r])</c>, <c>Sum = Σ_r loss_r</c>, <c>Mean = Sum / Σ_r w_r</c>.</para>
/// <para>With a gradient tensor, the same pass writes the gradient of <c>scale · Sum</c>:
/// <c>g[r, j] = scale · w_r · (softmax(x_r)_j − [j = t_r])</c>. TensorFlow's PTB model sums the loss over
/// time steps and averages over the batch, which is <c>scale = 1 / batch</c>.</para>
/// <para>Max-subtraction makes every exponent ≤ 0, so huge logits give finite losses and gradients.
/// Rows are processed in parallel chunks with <see cref="ComputeThreads.For"/>. Targets and weights are
/// copied into buffers owned by this object (a delegate cannot capture a span); after the first call with a
/// given n nothing is allocated here.</para>
/// </remarks>
internal sealed class SoftmaxCrossEntropy
{
    private readonly Tensor _rowLosses = new Tensor(0);
    private int[] _targets = [];
    private float[] _weights = [];
    private float[] _bias = [];
    private bool _hasBias;
    private readonly Action<int> _chunkBody;

    // Arguments of the call in progress, read by _chunkBody.
    private Tensor? _logits;
    private Tensor? _gradient;
    private bool _weighted;
    private float _scale;
    private int _rows, _columns, _chunkSize;

    public SoftmaxCrossEntropy() => _chunkBody = ProcessChunk;

    /// <summary>Per-row losses <c>loss_r</c> (already multiplied by the row weight) of the last call, shape [n].</summary>
    public Tensor RowLosses => _rowLosses;

    /// <summary><c>Σ_r loss_r</c> of the last call, accumulated in double.</summary>
    public double Sum { get; private set; }

    /// <summary><c>Σ_r w_r</c> of the last call (n when unweighted).</summary>
    public double WeightSum { get; private set; }

    /// <summary><c>Sum / WeightSum</c>; 0 when every row was masked out.</summary>
    public double Mean => WeightSum > 0 ? Sum / WeightSum : 0;

    /// <summary>
    /// Computes the losses of <paramref name="logits"/> (length n·V, row-major [n, V]; any shape whose last
    /// dimension is V) and, when <paramref name="gradient"/> is given, the gradient of
    /// <c><paramref name="gradientScale"/> · Sum</c> with respect to the logits. Returns <see cref="Sum"/>.
    /// </summary>
    /// <param name="logits">Unnormalised scores; left untouched unless it is also <paramref name="gradient"/>.</param>
    /// <param name="targets">n class ids in [0, V). Rows whose weight is 0 are skipped and their target is not checked (padding may use −1).</param>
    /// <param name="weights">Empty for all ones, else n non-negative row weights (a 0/1 mask or sequence weights).</param>
    /// <param name="gradient">Null for the loss only; otherwise overwritten, keeping its shape when it holds n·V elements and resized to [n, V] otherwise.
    /// May be <paramref name="logits"/> itself, to compute the gradient in place.</param>
    /// <param name="gradientScale">Factor applied to the gradient (not to the reported losses).</param>
    /// <param name="bias">Empty, or V class biases added to every row first (<c>x[r, j] += bias[j]</c>, in place in
    /// <paramref name="logits"/>): the bias of a softmax projection folded into the pass that reads the logits
    /// anyway, instead of a separate broadcast over all n rows.</param>
    public double Compute(Tensor logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights = default,
        Tensor? gradient = null, float gradientScale = 1f, ReadOnlySpan<float> bias = default)
    {
        int n = targets.Length;
        if (n == 0 || logits.Length % n != 0 || logits.Length == 0)
            throw new ArgumentException($"Logits {logits} are not [n, V] for n = {n} targets with V > 0.", nameof(logits));
        int v = logits.Length / n;
        if (logits.Dim(-1) != v)
            throw new ArgumentException($"Logits {logits} do not end in the class dimension {v} implied by {n} targets.", nameof(logits));
        if (!weights.IsEmpty && weights.Length != n)
            throw new ArgumentException($"{weights.Length} weights given for {n} rows.", nameof(weights));
        if (!bias.IsEmpty && bias.Length != v)
            throw new ArgumentException($"{bias.Length} biases given for {v} classes.", nameof(bias));
        _hasBias = !bias.IsEmpty;
        if (_hasBias)
        {
            if (_bias.Length < v) _bias = new float[v];
            bias.CopyTo(_bias);
        }

        if (_targets.Length < n) _targets = new int[n];
        targets.CopyTo(_targets);
        _weighted = !weights.IsEmpty;
        double weightSum = n;
        if (_weighted)
        {
            if (_weights.Length < n) _weights = new float[n];
            weights.CopyTo(_weights);
            weightSum = 0;
            for (int r = 0; r < n; r++)
            {
                if (!(weights[r] >= 0)) throw new ArgumentOutOfRangeException(nameof(weights), $"Weight {weights[r]} of row {r} is not a non-negative number.");
                weightSum += weights[r];
            }
        }
        // Validate here, not inside the parallel loop, so the caller gets a plain exception.
        for (int r = 0; r < n; r++)
            if ((!_weighted || _weights[r] != 0) && (uint)targets[r] >= (uint)v)
                throw new ArgumentOutOfRangeException(nameof(targets), $"Target {targets[r]} of row {r} is outside the classes [0, {v}).");

        if (gradient is not null && gradient.Length != logits.Length) gradient.Resize(n, v);
        _rowLosses.Resize(n);
        _logits = logits;
        _gradient = gradient;
        _scale = gradientScale;
        _rows = n;
        _columns = v;
        // A few chunks per thread balance the load while keeping per-chunk overhead negligible.
        int chunks = Math.Min(n, ComputeThreads.Count * 4);
        _chunkSize = (n + chunks - 1) / chunks;
        ComputeThreads.For((n + _chunkSize - 1) / _chunkSize, _chunkBody);
        _logits = null;
        _gradient = null;

        double sum = 0;
        ReadOnlySpan<float> losses = _rowLosses.Span;
        for (int r = 0; r < n; r++) sum += losses[r];
        Sum = sum;
        WeightSum = weightSum;
        return sum;
    }

    private void ProcessChunk(int chunk)
    {
        int v = _columns;
        int start = chunk * _chunkSize, end = Math.Min(_rows, start + _chunkSize);
        Span<float> losses = _rowLosses.Span;
        for (int r = start; r < end; r++)
        {
            float w = _weighted ? _weights[r] : 1f;
            Span<float> x = _logits!.Data.AsSpan(r * v, v);
            if (_hasBias) TensorPrimitives.Add(x, _bias.AsSpan(0, v), x);
            if (w == 0)
            {
                losses[r] = 0;
                _gradient?.Data.AsSpan(r * v, v).Clear();
                continue;
            }
            int t = _targets[r];
            float max = TensorPrimitives.Max(x);
            float xt = x[t]; // read before an in-place gradient overwrites it
            double sumExp;
            if (_gradient is null)
            {
                sumExp = MathKernels.SumExp(x, max);
            }
            else
            {
                Span<float> g = _gradient.Data.AsSpan(r * v, v);
                TensorPrimitives.Subtract(x, max, g);
                TensorPrimitives.Exp(g, g);
                sumExp = TensorPrimitives.Sum(g);
                float ws = _scale * w;
                TensorPrimitives.Multiply(g, (float)(ws / sumExp), g);
                g[t] -= ws;
            }
            losses[r] = (float)(w * (max + Math.Log(sumExp) - xt));
        }
    }
}
