using Recurrent.Kernels.Simd;
using Recurrent.Layers;
using Recurrent.Tensors;

namespace Recurrent.Optimizers;

/// <summary>
/// RMSProp in the form of TensorFlow's RMSPropOptimizer (tf.compat.v1, not centered):
/// <c>ms ← ρ·ms + (1−ρ)·g²</c>, <c>mom ← μ·mom + lr·g / sqrt(ms + ε)</c>, <c>θ ← θ − mom</c>.
/// </summary>
/// <remarks>
/// As in TensorFlow, ε sits inside the square root and the mean square starts at 1 (not 0), so the first
/// steps are not huge. Defaults ρ = 0.9, μ = 0, ε = 1e-10 (TensorFlow's). With μ = 0 the momentum slot is not
/// kept and the update is <c>θ ← θ − lr·g / sqrt(ms + ε)</c>. Sparse gradients are applied densely.
/// Slots: <c>{name}/rms</c> and, when μ &gt; 0, <c>{name}/momentum</c>.
/// </remarks>
internal sealed class RmsProp : Optimizer
{
    private readonly string[] _slotNames;

    public RmsProp(float learningRate, float decay = 0.9f, float momentum = 0f, float epsilon = 1e-10f) : base(learningRate)
    {
        if (!(decay >= 0 && decay < 1)) throw new ArgumentOutOfRangeException(nameof(decay), "Decay must be in [0, 1).");
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), "Momentum must be in [0, 1).");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), "ε must be positive.");
        Decay = decay;
        MomentumFactor = momentum;
        Epsilon = epsilon;
        _slotNames = momentum > 0 ? ["rms", "momentum"] : ["rms"];
    }

    /// <summary>ρ.</summary>
    public float Decay { get; }
    /// <summary>μ.</summary>
    public float MomentumFactor { get; }
    public float Epsilon { get; }

    protected override IReadOnlyList<string> SlotNames => _slotNames;

    protected override float SlotInitialValue(int slot) => slot == 0 ? 1f : 0f;

    protected override void Update(Parameter parameter, Tensor[] slots)
    {
        Span<float> mom = slots.Length > 1 ? slots[1].Span : default;
        RmsPropUpdateSimd.Apply(parameter.Value.Span, parameter.Gradient.Span, slots[0].Span, mom, Decay, MomentumFactor, LearningRate, Epsilon);
    }
}
