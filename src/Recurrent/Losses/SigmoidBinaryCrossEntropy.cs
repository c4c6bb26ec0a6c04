using Recurrent.Tensors;

namespace Recurrent.Losses;

/// <summary>
/// Binary cross-entropy of independent sigmoid outputs, computed from logits, fused with its gradient.
/// </summary>
/// <remarks>
/// <para>Per element with logit x, target y ∈ {0, 1} (any value in [0, 1] works) and mask/weight w (1 when none):
/// <c>loss = w · (max(x, 0) − x·y + log(1 + e^(−|x|)))</c>, which equals
/// <c>−w·(y·log σ(x) + (1 − y)·log(1 − σ(x)))</c> but never takes the log of 0 nor overflows the exponential
/// (TensorFlow's sigmoid_cross_entropy_with_logits). <c>Sum = Σ loss</c>, <c>Mean = Sum / Σ w</c>.</para>
/// <para>Gradient of <c>scale · Sum</c>: <c>g = scale · w · (σ(x) − y)</c>.</para>
/// </remarks>
internal sealed class SigmoidBinaryCrossEntropy
{
    private readonly Tensor _losses = new Tensor(0);

    /// <summary>Per-element losses of the last call (already weighted), shape [n].</summary>
    public Tensor Losses => _losses;

    /// <summary><c>Σ loss</c> of the last call, accumulated in double.</summary>
    public double Sum { get; private set; }

    /// <summary><c>Σ w</c> of the last call (n when unweighted).</summary>
    public double WeightSum { get; private set; }

    /// <summary><c>Sum / WeightSum</c>; 0 when everything was masked out.</summary>
    public double Mean => WeightSum > 0 ? Sum / WeightSum : 0;

    /// <summary>
    /// Computes the losses of <paramref name="logits"/> against <paramref name="targets"/> (same length) and,
    /// when <paramref name="gradient"/> is given, the gradient of <c><paramref name="gradientScale"/> · Sum</c>
    /// (overwritten; it keeps its shape when it has the logits' length, else becomes [n]; it may be the logits).
    /// <paramref name="weights"/> is empty for all ones, else one non-negative weight per element (0 masks it out).
    /// Returns <see cref="Sum"/>.
    /// </summary>
    public double Compute(Tensor logits, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights = default,
        Tensor? gradient = null, float gradientScale = 1f)
    {
        int n = logits.Length;
        if (targets.Length != n) throw new ArgumentException($"{targets.Length} targets given for {n} logits.", nameof(targets));
        if (!weights.IsEmpty && weights.Length != n) throw new ArgumentException($"{weights.Length} weights given for {n} logits.", nameof(weights));
        if (gradient is not null && gradient.Length != n) gradient.Resize(n);
        _losses.Resize(n);
        ReadOnlySpan<float> x = logits.Span;
        Span<float> losses = _losses.Span;
        Span<float> g = gradient is null ? default : gradient.Span;
        double sum = 0, weightSum = 0;
        for (int i = 0; i < n; i++)
        {
            float w = weights.IsEmpty ? 1f : weights[i];
            if (!(w >= 0)) throw new ArgumentOutOfRangeException(nameof(weights), $"Weight {w} of element {i} is not a non-negative number.");
            weightSum += w;
            float xi = x[i], yi = targets[i];
            if (w == 0)
            {
                losses[i] = 0;
                if (gradient is not null) g[i] = 0;
                continue;
            }
            double loss = Math.Max(xi, 0.0) - (double)xi * yi + Math.Log(1.0 + Math.Exp(-Math.Abs((double)xi)));
            losses[i] = (float)(w * loss);
            sum += losses[i];
            if (gradient is not null)
            {
                // σ(x) written so the exponential never overflows.
                float sigmoid = xi >= 0 ? 1f / (1f + MathF.Exp(-xi)) : MathF.Exp(xi) / (1f + MathF.Exp(xi));
                g[i] = gradientScale * w * (sigmoid - yi);
            }
        }
        Sum = sum;
        WeightSum = weightSum;
        return sum;
    }
}
