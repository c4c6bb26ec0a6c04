using Recurrent.Kernels;
using Recurrent.Layers;

namespace Recurrent.Optimizers;

/// <summary>Gradient clipping over a set of parameters; both methods respect <see cref="Parameter.SparseRows"/>.</summary>
internal static class GradientClipping
{
    /// <summary>
    /// The global norm <c>sqrt(Σ_p Σ_i g_p[i]²)</c> over all gradients, accumulated in double. Sparse gradients
    /// are summed over their listed rows only (they are zero elsewhere).
    /// </summary>
    public static double GlobalNorm(IReadOnlyList<Parameter> parameters)
    {
        double sum = 0;
        for (int p = 0; p < parameters.Count; p++)
        {
            Parameter parameter = parameters[p];
            ReadOnlySpan<float> g = parameter.Gradient.Span;
            List<int>? rows = parameter.SparseRows;
            if (rows is null)
            {
                sum += MathKernels.SumOfSquares(g);
                continue;
            }
            int width = ParameterGradients.RowWidth(parameter);
            foreach (int r in rows) sum += MathKernels.SumOfSquares(g.Slice(r * width, width));
        }
        return Math.Sqrt(sum);
    }

    /// <summary>
    /// TensorFlow's <c>clip_by_global_norm</c>: when the global norm N exceeds <paramref name="maxNorm"/>, every
    /// gradient is multiplied by <c>maxNorm / N</c>, so the direction is kept and the new global norm is maxNorm;
    /// otherwise nothing changes (not even by rounding). Returns N, measured before clipping.
    /// </summary>
    /// <remarks>
    /// One deliberate difference: TensorFlow turns every gradient into NaN when N is infinite or NaN. Here the
    /// gradients are left as they are and the non-finite N is returned, so the caller can skip the step.
    /// </remarks>
    public static double ClipByGlobalNorm(IReadOnlyList<Parameter> parameters, float maxNorm)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"The clipping norm {maxNorm} must be positive.");
        double norm = GlobalNorm(parameters);
        if (!double.IsFinite(norm) || norm <= maxNorm) return norm;
        float scale = (float)(maxNorm / norm);
        for (int p = 0; p < parameters.Count; p++)
        {
            Parameter parameter = parameters[p];
            Span<float> g = parameter.Gradient.Span;
            List<int>? rows = parameter.SparseRows;
            if (rows is null)
            {
                MathKernels.Scale(scale, g);
                continue;
            }
            int width = ParameterGradients.RowWidth(parameter);
            foreach (int r in rows) MathKernels.Scale(scale, g.Slice(r * width, width));
        }
        return norm;
    }

    /// <summary>Clamps every gradient element into [<paramref name="min"/>, <paramref name="max"/>] (TensorFlow's <c>clip_by_value</c>).</summary>
    public static void ClipByValue(IReadOnlyList<Parameter> parameters, float min, float max)
    {
        if (!(min <= max)) throw new ArgumentException($"Clipping range [{min}, {max}] is empty.");
        for (int p = 0; p < parameters.Count; p++)
        {
            Parameter parameter = parameters[p];
            Span<float> g = parameter.Gradient.Span;
            List<int>? rows = parameter.SparseRows;
            if (rows is null)
            {
                MathKernels.Clamp(g, min, max);
                continue;
            }
            int width = ParameterGradients.RowWidth(parameter);
            foreach (int r in rows) MathKernels.Clamp(g.Slice(r * width, width), min, max);
        }
    }
}
