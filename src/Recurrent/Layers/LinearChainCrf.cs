using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recurrent.Kernels;
using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>
/// Linear-chain conditional random field over K tags: the negative log-likelihood of gold tag sequences given
/// per-token emission scores, its gradient, and Viterbi decoding (Lafferty et al. 2001; the output layer of
/// Huang et al. 2015's BiLSTM-CRF).
/// </summary>
/// <remarks>
/// <para>Parameters: transitions A [K, K] (<c>A[i, j]</c> scores tag j right after tag i), start scores s [K] and end
/// scores e [K]. With emissions x (one row of K scores per token), a tag sequence y of length L scores</para>
/// <para><c>score(y) = s[y₀] + Σ_{t&lt;L} x[t, y_t] + Σ_{1≤t&lt;L} A[y_{t−1}, y_t] + e[y_{L−1}]</c>,</para>
/// <para>and <c>NLL = log Z − score(gold)</c> with <c>log Z = log Σ_y exp score(y)</c> (all K^L sequences).
/// The forward algorithm gives <c>α₀(j) = s[j] + x[0, j]</c>, <c>α_t(j) = x[t, j] + LSE_i(α_{t−1}(i) + A[i, j])</c>,
/// <c>log Z = LSE_j(α_{L−1}(j) + e[j])</c>; the backward one <c>β_{L−1}(i) = e[i]</c>,
/// <c>β_t(i) = LSE_j(A[i, j] + x[t+1, j] + β_{t+1}(j))</c>, where LSE is the log-sum-exp. No exponent is positive:
/// each step factors out the largest α and the largest transition score into each tag, which needs K exponentials
/// and a K×K product instead of K² exponentials, and falls back to the direct log-sum-exp where those factors
/// underflow (score gaps of hundreds of nats). The gradients are marginals minus gold indicators:
/// <c>∂NLL/∂x[t, j] = γ_t(j) − [y_t = j]</c> with <c>γ_t(j) = exp(α_t(j) + β_t(j) − log Z)</c>,
/// <c>∂NLL/∂A[i, j] = Σ_{t≥1} ξ_t(i, j) − #{t : y_{t−1} = i, y_t = j}</c> with
/// <c>ξ_t(i, j) = exp(α_{t−1}(i) + A[i, j] + x[t, j] + β_t(j) − log Z)</c>,
/// <c>∂NLL/∂s[j] = γ₀(j) − [y₀ = j]</c> and <c>∂NLL/∂e[j] = γ_{L−1}(j) − [y_{L−1} = j]</c>.</para>
/// <para>Emissions are laid out time-major, [T, B, K] (row t·B + b, as the recurrent layers output them), with a
/// length per sequence; steps at or past a sequence's length are padding and ignored. Everything after reading the
/// float inputs is computed in double. Sequences are processed in parallel; each keeps its own transition-gradient
/// accumulator, summed in sequence order, so results do not depend on the number of threads. Buffers grow to the
/// largest batch seen and are reused, so later calls allocate nothing.</para>
/// <para>With <see cref="Constraints"/>, disallowed transitions, starts and ends score −∞: they drop out of Z, get
/// marginal 0 (so gradient 0) and are never decoded. Gold sequences must then be allowed.</para>
/// </remarks>
internal sealed class LinearChainCrf : IHasParameters
{
    private readonly int _k;
    private readonly double[] _transitions;   // effective A, row-major [from, to], −∞ where disallowed
    private readonly double[] _transposed;    // effective Aᵀ, [to, from], so a column of A is contiguous
    private readonly double[] _start, _end;   // effective s and e
    private readonly double[] _columnMax, _rowMax;         // c_j = max_i A[i, j], r_i = max_j A[i, j]
    private readonly double[] _columnScaled, _rowScaled;   // e^(A[i, j] − c_j), e^(A[i, j] − r_i), [from, to]
    private TransitionConstraints? _constraints;

    private double[] _alpha = [], _beta = [];  // [T, B, K]; _alpha also holds Viterbi's δ
    private int[] _backPointers = [];          // [T, B, K]
    private double[] _scratch = [];            // [B, 4K]: per-sequence work vectors
    private double[] _accumulators = [];       // [B, K·K + 2K]: per-sequence ∂NLL/∂(A, s, e)
    private double[] _losses = [], _bestScores = [];
    private int[] _lengths = [], _tags = [], _path = [];

    // The call in progress, read by the per-sequence work.
    private float[] _x = [];
    private float[]? _gradient;
    private float _scale;
    private int _steps, _batch;

    /// <summary>Creates a CRF over <paramref name="tagCount"/> tags with all scores zero (every sequence equally likely).</summary>
    public LinearChainCrf(int tagCount, string name = "crf")
    {
        if (tagCount <= 0) throw new ArgumentOutOfRangeException(nameof(tagCount), "A CRF needs at least one tag.");
        _k = tagCount;
        Transitions = new Parameter(name + ".transitions", new Tensor(tagCount, tagCount));
        StartTransitions = new Parameter(name + ".start", new Tensor(tagCount));
        EndTransitions = new Parameter(name + ".end", new Tensor(tagCount));
        Parameters = [Transitions, StartTransitions, EndTransitions];
        _transitions = new double[tagCount * tagCount];
        _transposed = new double[tagCount * tagCount];
        _start = new double[tagCount];
        _end = new double[tagCount];
        _columnMax = new double[tagCount];
        _rowMax = new double[tagCount];
        _columnScaled = new double[tagCount * tagCount];
        _rowScaled = new double[tagCount * tagCount];
    }

    /// <summary>K, the number of tags.</summary>
    public int TagCount => _k;

    /// <summary>A [K, K]: <c>A[i, j]</c> is the score of tag j right after tag i. Saved as <c>{name}.transitions</c>.</summary>
    public Parameter Transitions { get; }

    /// <summary>s [K]: the score of starting a sequence with each tag. Saved as <c>{name}.start</c>.</summary>
    public Parameter StartTransitions { get; }

    /// <summary>e [K]: the score of ending a sequence with each tag. Saved as <c>{name}.end</c>.</summary>
    public Parameter EndTransitions { get; }

    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Allowed transitions, or null for none forbidden. Not a parameter: rebuild it from the tag set after loading.</summary>
    /// <exception cref="ArgumentException">The constraints are for a different number of tags.</exception>
    public TransitionConstraints? Constraints
    {
        get => _constraints;
        set
        {
            if (value is not null && value.TagCount != _k)
                throw new ArgumentException($"Constraints over {value.TagCount} tags given to a CRF over {_k}.", nameof(value));
            _constraints = value;
        }
    }

    /// <summary>NLL of each sequence of the last <see cref="NegativeLogLikelihood"/> call (0 for empty ones), [B].</summary>
    public ReadOnlySpan<double> SequenceLosses => _losses.AsSpan(0, _batch);

    /// <summary><c>Σ_b NLL_b</c> of the last <see cref="NegativeLogLikelihood"/> call.</summary>
    public double Sum { get; private set; }

    /// <summary>The score of each decoded sequence of the last <see cref="Decode"/> call (0 for empty ones), [B].</summary>
    public ReadOnlySpan<double> BestScores => _bestScores.AsSpan(0, _batch);

    /// <summary>
    /// Returns <c>Σ_b NLL_b</c> of the gold <paramref name="tags"/> and, when <paramref name="emissionGradient"/> is
    /// given, the gradient of <c><paramref name="gradientScale"/> · Σ_b NLL_b</c>: written into
    /// <paramref name="emissionGradient"/> (overwritten, padding rows zero; it keeps its shape when it holds T·B·K
    /// elements and becomes [T, B, K] otherwise; it may be <paramref name="emissions"/> itself) and added to the
    /// gradients of <see cref="Transitions"/>, <see cref="StartTransitions"/> and <see cref="EndTransitions"/>.
    /// </summary>
    /// <param name="emissions">[T, B, K] per-token tag scores, time-major.</param>
    /// <param name="lengths">B lengths in [0, T], or empty when every sequence has T tokens.</param>
    /// <param name="tags">T·B gold tags, time-major like the emissions (index t·B + b); padding entries are not read.</param>
    /// <exception cref="ArgumentException">Shapes disagree, a tag is outside [0, K), or a gold sequence breaks the <see cref="Constraints"/>.</exception>
    public double NegativeLogLikelihood(Tensor emissions, ReadOnlySpan<int> lengths, ReadOnlySpan<int> tags,
        Tensor? emissionGradient = null, float gradientScale = 1f)
    {
        Begin(emissions, lengths);
        int n = _steps * _batch;
        if (tags.Length != n)
            throw new ArgumentException($"{tags.Length} gold tags given for emissions of {_steps} steps × {_batch} sequences.", nameof(tags));
        tags.CopyTo(_tags);
        for (int b = 0; b < _batch; b++)
        {
            int length = _lengths[b];
            for (int t = 0; t < length; t++)
            {
                int y = _tags[t * _batch + b];
                if ((uint)y >= (uint)_k)
                    throw new ArgumentOutOfRangeException(nameof(tags), $"Gold tag {y} of sequence {b} at step {t} is outside [0, {_k}).");
                bool allowed = _constraints is null
                    || (t == 0 ? _constraints.IsAllowedStart(y) : _constraints.IsAllowed(_tags[(t - 1) * _batch + b], y));
                if (allowed && t == length - 1 && _constraints is not null) allowed = _constraints.IsAllowedEnd(y);
                if (!allowed)
                    throw new ArgumentException($"Gold tags of sequence {b} break the transition constraints at step {t} (tag {y}).", nameof(tags));
            }
        }

        if (emissionGradient is not null && emissionGradient.Length != emissions.Length) emissionGradient.Resize(_steps, _batch, _k);
        _gradient = emissionGradient?.Data;
        _scale = gradientScale;
        Grow(ref _losses, _batch);
        if (_gradient is not null)
        {
            Grow(ref _beta, n * _k);
            Grow(ref _accumulators, _batch * AccumulatorLength);
        }
        ComputeThreads.For(_batch, new SequenceWork(this, decode: false));

        double sum = 0;
        for (int b = 0; b < _batch; b++) sum += _losses[b];
        Sum = sum;
        if (_gradient is not null) AddParameterGradients();
        _gradient = null;
        _x = [];
        return sum;
    }

    /// <summary>
    /// Viterbi decoding: writes into <paramref name="tags"/> (T·B entries, time-major) the highest-scoring allowed tag
    /// sequence of each sequence, and −1 at padding steps. Ties go to the lower tag id. <see cref="BestScores"/> gets
    /// the scores of the decoded sequences.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes disagree.</exception>
    /// <exception cref="InvalidOperationException">The constraints allow no tag sequence of some length.</exception>
    public void Decode(Tensor emissions, ReadOnlySpan<int> lengths, Span<int> tags)
    {
        Begin(emissions, lengths);
        int n = _steps * _batch;
        if (tags.Length != n)
            throw new ArgumentException($"Room for {tags.Length} tags given for emissions of {_steps} steps × {_batch} sequences.", nameof(tags));
        Grow(ref _backPointers, n * _k);
        Grow(ref _bestScores, _batch);
        Grow(ref _path, n);
        ComputeThreads.For(_batch, new SequenceWork(this, decode: true));
        _path.AsSpan(0, n).CopyTo(tags);
        _x = [];
    }

    private int AccumulatorLength => _k * _k + 2 * _k;

    private int ScratchLength => 4 * _k;

    private void Begin(Tensor emissions, ReadOnlySpan<int> lengths)
    {
        if (emissions.Rank != 3 || emissions.Dim(2) != _k)
            throw new ArgumentException($"Emissions {emissions} are not [T, B, {_k}].", nameof(emissions));
        _steps = emissions.Dim(0);
        _batch = emissions.Dim(1);
        if (!lengths.IsEmpty && lengths.Length != _batch)
            throw new ArgumentException($"Got {lengths.Length} sequence lengths for a batch of {_batch}.", nameof(lengths));
        Grow(ref _lengths, _batch);
        for (int b = 0; b < _batch; b++)
        {
            int length = lengths.IsEmpty ? _steps : lengths[b];
            if ((uint)length > (uint)_steps)
                throw new ArgumentOutOfRangeException(nameof(lengths), $"Sequence length {length} is outside [0, {_steps}].");
            _lengths[b] = length;
        }
        int n = _steps * _batch;
        Grow(ref _tags, n);
        Grow(ref _alpha, n * _k);
        Grow(ref _scratch, _batch * ScratchLength);
        _x = emissions.Data;

        ReadOnlySpan<float> a = Transitions.Value.Span, s = StartTransitions.Value.Span, e = EndTransitions.Value.Span;
        for (int i = 0; i < _k; i++)
        {
            _start[i] = _constraints is null || _constraints.IsAllowedStart(i) ? s[i] : double.NegativeInfinity;
            _end[i] = _constraints is null || _constraints.IsAllowedEnd(i) ? e[i] : double.NegativeInfinity;
            for (int j = 0; j < _k; j++)
            {
                double v = _constraints is null || _constraints.IsAllowed(i, j) ? a[i * _k + j] : double.NegativeInfinity;
                _transitions[i * _k + j] = v;
                _transposed[j * _k + i] = v;
            }
        }
        for (int i = 0; i < _k; i++)
        {
            _rowMax[i] = TensorPrimitives.Max(_transitions.AsSpan(i * _k, _k));
            _columnMax[i] = TensorPrimitives.Max(_transposed.AsSpan(i * _k, _k));
        }
        for (int i = 0; i < _k; i++)
            for (int j = 0; j < _k; j++)
            {
                double v = _transitions[i * _k + j];
                // A whole row or column may be disallowed (−∞ − −∞ would be NaN); its scaled entries are 0.
                _columnScaled[i * _k + j] = double.IsNegativeInfinity(v) ? 0 : Math.Exp(v - _columnMax[j]);
                _rowScaled[i * _k + j] = double.IsNegativeInfinity(v) ? 0 : Math.Exp(v - _rowMax[i]);
            }
    }

    /// <summary>Forward algorithm, gold score and, when a gradient is wanted, backward algorithm and marginals of sequence b.</summary>
    private void ForwardBackward(int b)
    {
        int k = _k, batch = _batch, length = _lengths[b];
        int ak = AccumulatorLength;
        Span<double> acc = _gradient is null ? default : _accumulators.AsSpan(b * ak, ak);
        acc.Clear();
        if (_gradient is not null)
            for (int t = length; t < _steps; t++) _gradient.AsSpan((t * batch + b) * k, k).Clear();
        if (length == 0)
        {
            _losses[b] = 0;
            return;
        }

        ReadOnlySpan<float> x = _x;
        Span<double> scratch = _scratch.AsSpan(b * ScratchLength, ScratchLength);
        Span<double> work = scratch[..k], c = scratch.Slice(k, k), p = scratch.Slice(2 * k, k), q = scratch.Slice(3 * k, k);
        int Row(int t) => (t * batch + b) * k;

        Span<double> alpha0 = _alpha.AsSpan(Row(0), k);
        for (int j = 0; j < k; j++) alpha0[j] = _start[j] + x[Row(0) + j];
        for (int t = 1; t < length; t++)
        {
            for (int j = 0; j < k; j++) c[j] = x[Row(t) + j];
            ForwardStep(_alpha.AsSpan(Row(t - 1), k), c, _alpha.AsSpan(Row(t), k), work, p, q);
        }
        TensorPrimitives.Add(_alpha.AsSpan(Row(length - 1), k), _end, work);
        double logZ = LogSumExp(work);

        // Gold sequences were checked against the constraints, so the raw parameters score them.
        ReadOnlySpan<float> a = Transitions.Value.Span;
        int previousTag = _tags[b];
        double gold = (double)StartTransitions.Value[previousTag] + x[Row(0) + previousTag];
        for (int t = 1; t < length; t++)
        {
            int y = _tags[t * batch + b];
            gold += (double)a[previousTag * k + y] + x[Row(t) + y];
            previousTag = y;
        }
        gold += EndTransitions.Value[previousTag];
        _losses[b] = logZ - gold;
        if (_gradient is null) return;

        _end.CopyTo(_beta.AsSpan(Row(length - 1), k));
        for (int t = length - 2; t >= 0; t--)
        {
            for (int j = 0; j < k; j++) c[j] = x[Row(t + 1) + j] + _beta[Row(t + 1) + j];
            BackwardStep(c, _beta.AsSpan(Row(t), k), work, p);
        }

        Span<double> transitionGradient = acc[..(k * k)];
        Span<double> startGradient = acc.Slice(k * k, k), endGradient = acc.Slice(k * k + k, k);
        float[] g = _gradient;
        double scale = _scale;
        for (int t = 0; t < length; t++)
        {
            int row = Row(t);
            if (t > 0)
            {
                // Read x[t] before row t of an in-place gradient overwrites it.
                for (int j = 0; j < k; j++) c[j] = x[row + j] + _beta[row + j];
                AddTransitionMarginals(_alpha.AsSpan(Row(t - 1), k), c, logZ, transitionGradient, work, p, q);
                transitionGradient[_tags[(t - 1) * batch + b] * k + _tags[t * batch + b]] -= 1;
            }
            TensorPrimitives.Add(_alpha.AsSpan(row, k), _beta.AsSpan(row, k), work);
            TensorPrimitives.Subtract(work, logZ, work);
            TensorPrimitives.Exp(work, work); // γ_t
            if (t == 0) TensorPrimitives.Add(startGradient, work, startGradient);
            if (t == length - 1) TensorPrimitives.Add(endGradient, work, endGradient);
            int y = _tags[t * batch + b];
            for (int j = 0; j < k; j++) g[row + j] = (float)(scale * (work[j] - (j == y ? 1 : 0)));
        }
        startGradient[_tags[b]] -= 1;
        endGradient[_tags[(length - 1) * batch + b]] -= 1;
    }

    // The recursions factor the exponentials: with m = max_i α(i), p_i = e^(α(i) − m) and E[i, j] = e^(A[i, j] − c_j)
    // (c_j the largest score into j, so E ≤ 1), LSE_i(α(i) + A[i, j]) = m + c_j + log Σ_i p_i E[i, j]. That is K
    // exponentials and a K×K product per step instead of K² exponentials. Every term is ≤ 1 and one p_i is 1, so the
    // sum is accurate unless all of its terms underflow, which needs score differences of hundreds of nats; then the
    // step falls back to the direct log-sum-exp.
    private const double Tiny = 1e-290, Huge = 1e290;

    /// <summary><c>next(j) = emission(j) + LSE_i(previous(i) + A[i, j])</c>.</summary>
    private void ForwardStep(ReadOnlySpan<double> previous, ReadOnlySpan<double> emission, Span<double> next, Span<double> work, Span<double> p, Span<double> sums)
    {
        int k = _k;
        double m = TensorPrimitives.Max(previous);
        if (double.IsNegativeInfinity(m))
        {
            next.Fill(double.NegativeInfinity);
            return;
        }
        TensorPrimitives.Subtract(previous, m, p);
        TensorPrimitives.Exp(p, p);
        sums.Clear();
        for (int i = 0; i < k; i++)
            if (p[i] != 0) TensorPrimitives.MultiplyAdd(_columnScaled.AsSpan(i * k, k), p[i], sums, sums);
        for (int j = 0; j < k; j++)
        {
            double cj = _columnMax[j];
            if (double.IsNegativeInfinity(cj)) next[j] = double.NegativeInfinity;
            else if (sums[j] >= Tiny) next[j] = emission[j] + m + cj + Math.Log(sums[j]);
            else
            {
                TensorPrimitives.Add(previous, _transposed.AsSpan(j * k, k), work);
                next[j] = emission[j] + LogSumExp(work);
            }
        }
    }

    /// <summary><c>beta(i) = LSE_j(A[i, j] + v(j))</c>, with <c>v(j) = x[t+1, j] + β_{t+1}(j)</c>; the row-wise twin of <see cref="ForwardStep"/>.</summary>
    private void BackwardStep(ReadOnlySpan<double> v, Span<double> beta, Span<double> work, Span<double> w)
    {
        int k = _k;
        double u = TensorPrimitives.Max(v);
        if (double.IsNegativeInfinity(u))
        {
            beta.Fill(double.NegativeInfinity);
            return;
        }
        TensorPrimitives.Subtract(v, u, w);
        TensorPrimitives.Exp(w, w);
        for (int i = 0; i < k; i++)
        {
            double ri = _rowMax[i];
            if (double.IsNegativeInfinity(ri))
            {
                beta[i] = double.NegativeInfinity;
                continue;
            }
            double sum = TensorPrimitives.Dot(_rowScaled.AsSpan(i * k, k), w);
            if (sum >= Tiny) beta[i] = u + ri + Math.Log(sum);
            else
            {
                TensorPrimitives.Add(_transitions.AsSpan(i * k, k), v, work);
                beta[i] = LogSumExp(work);
            }
        }
    }

    /// <summary>
    /// Adds <c>ξ(i, j) = exp(α_{t−1}(i) + A[i, j] + c(j) − log Z)</c> to <paramref name="gradient"/> [K, K], with
    /// <c>c(j) = x[t, j] + β_t(j)</c>, factored as <c>p_i · E[i, j] · q_j</c>, <c>q_j = exp(m + c_j' + c(j) − log Z)</c>.
    /// </summary>
    private void AddTransitionMarginals(ReadOnlySpan<double> previous, ReadOnlySpan<double> c, double logZ, Span<double> gradient,
        Span<double> work, Span<double> p, Span<double> q)
    {
        int k = _k;
        double m = TensorPrimitives.Max(previous);
        if (double.IsNegativeInfinity(m)) return; // nothing reaches step t − 1
        TensorPrimitives.Subtract(previous, m, p);
        TensorPrimitives.Exp(p, p);
        bool exactColumns = false;
        for (int j = 0; j < k; j++)
        {
            q[j] = Math.Exp(m + _columnMax[j] + c[j] - logZ);
            // ξ ≤ 1 bounds p_i·E[i, j]·q_j, so q_j is huge only when E[i, j] is tiny: then take the column directly.
            if (!(q[j] <= Huge))
            {
                q[j] = 0;
                exactColumns = true;
            }
        }
        for (int i = 0; i < k; i++)
        {
            if (p[i] == 0) continue;
            TensorPrimitives.Multiply(_columnScaled.AsSpan(i * k, k), q, work);
            Span<double> gradientRow = gradient.Slice(i * k, k);
            TensorPrimitives.MultiplyAdd(work, p[i], gradientRow, gradientRow);
        }
        if (!exactColumns) return;
        for (int j = 0; j < k; j++)
        {
            if (!(Math.Exp(m + _columnMax[j] + c[j] - logZ) > Huge)) continue;
            for (int i = 0; i < k; i++) gradient[i * k + j] += Math.Exp(previous[i] + _transitions[i * k + j] + c[j] - logZ);
        }
    }

    /// <summary>Viterbi over sequence b: δ in _alpha, the argmax predecessors in _backPointers, the path in _path.</summary>
    private void Viterbi(int b)
    {
        int k = _k, batch = _batch, length = _lengths[b];
        for (int t = length; t < _steps; t++) _path[t * batch + b] = -1;
        if (length == 0)
        {
            _bestScores[b] = 0;
            return;
        }
        ReadOnlySpan<float> x = _x;
        int Row(int t) => (t * batch + b) * k;

        for (int j = 0; j < k; j++) _alpha[Row(0) + j] = _start[j] + x[Row(0) + j];
        for (int t = 1; t < length; t++)
        {
            ReadOnlySpan<double> previous = _alpha.AsSpan(Row(t - 1), k);
            int row = Row(t);
            for (int j = 0; j < k; j++)
            {
                ReadOnlySpan<double> column = _transposed.AsSpan(j * k, k);
                double best = double.NegativeInfinity;
                int argBest = 0;
                for (int i = 0; i < k; i++)
                {
                    double v = previous[i] + column[i];
                    if (v > best)
                    {
                        best = v;
                        argBest = i;
                    }
                }
                _alpha[row + j] = best + x[row + j];
                _backPointers[row + j] = argBest;
            }
        }
        double bestScore = double.NegativeInfinity;
        int tag = 0;
        int last = Row(length - 1);
        for (int j = 0; j < k; j++)
        {
            double v = _alpha[last + j] + _end[j];
            if (v > bestScore)
            {
                bestScore = v;
                tag = j;
            }
        }
        if (double.IsNegativeInfinity(bestScore))
            throw new InvalidOperationException($"The transition constraints allow no tag sequence of length {length}.");
        _bestScores[b] = bestScore;
        for (int t = length - 1; t >= 0; t--)
        {
            _path[t * batch + b] = tag;
            tag = _backPointers[Row(t) + tag];
        }
    }

    /// <summary>Adds <c>scale · Σ_b</c> of the per-sequence accumulators to the parameter gradients, summing b in order.</summary>
    private void AddParameterGradients()
    {
        int k = _k, ak = AccumulatorLength;
        Span<float> a = Transitions.Gradient.Span, s = StartTransitions.Gradient.Span, e = EndTransitions.Gradient.Span;
        for (int p = 0; p < ak; p++)
        {
            double sum = 0;
            for (int b = 0; b < _batch; b++) sum += _accumulators[b * ak + p];
            float v = (float)(_scale * sum);
            if (p < k * k) a[p] += v;
            else if (p < k * k + k) s[p - k * k] += v;
            else e[p - k * k - k] += v;
        }
    }

    /// <summary><c>log Σ e^v</c> with the maximum subtracted first; −∞ when every entry is −∞. Overwrites <paramref name="v"/>.</summary>
    private static double LogSumExp(Span<double> v)
    {
        double max = TensorPrimitives.Max(v);
        if (double.IsNegativeInfinity(max)) return max;
        TensorPrimitives.Subtract(v, max, v);
        TensorPrimitives.Exp(v, v);
        return max + Math.Log(TensorPrimitives.Sum(v));
    }

    private static void Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new T[length];
    }

    private readonly struct SequenceWork(LinearChainCrf crf, bool decode) : IParallelWork
    {
        public void Execute(int b)
        {
            if (decode) crf.Viterbi(b);
            else crf.ForwardBackward(b);
        }
    }
}
