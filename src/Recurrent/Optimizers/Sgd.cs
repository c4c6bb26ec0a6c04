using Recurrent.Kernels;
using Recurrent.Layers;
using Recurrent.Tensors;

namespace Recurrent.Optimizers;

/// <summary>Plain stochastic gradient descent, <c>θ ← θ − lr · g</c> (TensorFlow's GradientDescentOptimizer, used by ptb_word_lm.py).</summary>
/// <remarks>
/// Has no state, so it honours <see cref="Parameter.SparseRows"/> exactly: only listed rows are updated, and
/// the result is identical to a dense update because untouched rows would change by −lr·0.
/// </remarks>
internal sealed class Sgd : Optimizer
{
    public Sgd(float learningRate) : base(learningRate) { }

    protected override IReadOnlyList<string> SlotNames => [];

    protected override void Update(Parameter parameter, Tensor[] slots)
    {
        float a = -LearningRate;
        List<int>? rows = parameter.SparseRows;
        if (rows is null)
        {
            MathKernels.Axpy(a, parameter.Gradient.Span, parameter.Value.Span);
            return;
        }
        int width = ParameterGradients.RowWidth(parameter);
        Span<float> g = parameter.Gradient.Span, v = parameter.Value.Span;
        foreach (int r in rows)
            MathKernels.Axpy(a, g.Slice(r * width, width), v.Slice(r * width, width));
    }
}
