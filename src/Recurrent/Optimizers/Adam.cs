using Recurrent.Kernels.Simd;
using Recurrent.Layers;
using Recurrent.Tensors;

namespace Recurrent.Optimizers;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) in the form of TensorFlow's AdamOptimizer, with t = <see cref="Optimizer.StepCount"/>:
/// <c>m ← β₁·m + (1−β₁)·g</c>, <c>v ← β₂·v + (1−β₂)·g²</c>,
/// <c>lr_t = lr · sqrt(1 − β₂^t) / (1 − β₁^t)</c>, <c>θ ← θ − lr_t · m / (sqrt(v) + ε)</c>.
/// </summary>
/// <remarks>
/// This is the paper's "efficient version" (end of section 2): the bias correction is folded into the step size
/// and ε plays the role of the paper's ε̂, exactly as TensorFlow does; it differs from
/// <c>m̂ / (sqrt(v̂) + ε)</c> only by how ε is scaled. Defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8 (paper and tf.train).
/// Sparse gradients are applied densely (untouched rows see g = 0, so their moments decay), which is the exact
/// algorithm. Slots: <c>{name}/m</c>, <c>{name}/v</c>.
/// </remarks>
internal sealed class Adam : Optimizer
{
    public Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f) : base(learningRate)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), "β₁ must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), "β₂ must be in [0, 1).");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), "ε must be positive.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }

    private static readonly string[] s_slotNames = ["m", "v"];

    protected override IReadOnlyList<string> SlotNames => s_slotNames;

    protected override void Update(Parameter parameter, Tensor[] slots)
    {
        double t = StepCount;
        float stepSize = (float)(LearningRate * Math.Sqrt(1 - Math.Pow(Beta2, t)) / (1 - Math.Pow(Beta1, t)));
        AdamUpdateSimd.Apply(parameter.Value.Span, parameter.Gradient.Span, slots[0].Span, slots[1].Span, Beta1, Beta2, stepSize, Epsilon);
    }
}
