using Recurrent.Kernels;
using Recurrent.Layers;
using Recurrent.Tensors;

namespace Recurrent.Optimizers;

/// <summary>
/// SGD with momentum, as TensorFlow's MomentumOptimizer:
/// <c>a ← μ·a + g</c>, then <c>θ ← θ − lr·a</c> (classic) or <c>θ ← θ − lr·(g + μ·a)</c> (Nesterov).
/// </summary>
/// <remarks>
/// Sparse gradients are applied densely: rows outside <see cref="Parameter.SparseRows"/> are treated as having
/// zero gradient, so their accumulator still decays and they keep moving. That is the exact dense algorithm;
/// skipping them (TensorFlow's "lazy" sparse update) would change the optimiser. Slot: <c>{name}/momentum</c>.
/// </remarks>
internal sealed class Momentum : Optimizer
{
    public Momentum(float learningRate, float momentum = 0.9f, bool nesterov = false) : base(learningRate)
    {
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), "Momentum must be in [0, 1).");
        MomentumFactor = momentum;
        Nesterov = nesterov;
    }

    /// <summary>μ.</summary>
    public float MomentumFactor { get; }
    public bool Nesterov { get; }

    private static readonly string[] s_slotNames = ["momentum"];

    protected override IReadOnlyList<string> SlotNames => s_slotNames;

    protected override void Update(Parameter parameter, Tensor[] slots)
    {
        Span<float> a = slots[0].Span, g = parameter.Gradient.Span, theta = parameter.Value.Span;
        float lr = LearningRate;
        // a = μ·a + g
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(a, MomentumFactor, g, a);
        if (Nesterov)
        {
            MathKernels.Axpy(-lr, g, theta);
            MathKernels.Axpy(-lr * MomentumFactor, a, theta);
        }
        else
        {
            MathKernels.Axpy(-lr, a, theta);
        }
    }
}
