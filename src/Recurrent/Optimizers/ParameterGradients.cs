using Recurrent.Layers;

namespace Recurrent.Optimizers;

/// <summary>
/// Gradient housekeeping that respects <see cref="Parameter.SparseRows"/>.
/// </summary>
/// <remarks>
/// The sparse-gradient contract: when <c>SparseRows</c> is not null, the gradient is zero outside the listed
/// rows. <see cref="Zero(Parameter)"/> keeps it by clearing only those rows and then emptying the list (the
/// list object is kept, so layers that append to it, like <see cref="Embedding"/>, allocate nothing).
/// A null list means a dense gradient, cleared whole. Trainers call <see cref="Zero(IReadOnlyList{Parameter})"/>
/// before each backward pass.
/// </remarks>
internal static class ParameterGradients
{
    /// <summary>Zeroes the gradient of <paramref name="parameter"/>: the listed rows and then the list itself when sparse, all of it when dense.</summary>
    public static void Zero(Parameter parameter)
    {
        List<int>? rows = parameter.SparseRows;
        if (rows is null)
        {
            parameter.Gradient.Clear();
            return;
        }
        int width = RowWidth(parameter);
        Span<float> g = parameter.Gradient.Span;
        foreach (int r in rows) g.Slice(r * width, width).Clear();
        rows.Clear();
    }

    /// <summary>Zeroes every parameter's gradient; see <see cref="Zero(Parameter)"/>.</summary>
    public static void Zero(IReadOnlyList<Parameter> parameters)
    {
        for (int i = 0; i < parameters.Count; i++) Zero(parameters[i]);
    }

    /// <summary>Elements per row of the first dimension (what one entry of <see cref="Parameter.SparseRows"/> covers).</summary>
    public static int RowWidth(Parameter parameter)
    {
        int rows = parameter.Value.Dim(0);
        return rows == 0 ? 0 : parameter.Value.Length / rows;
    }
}
