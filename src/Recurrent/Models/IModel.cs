using Recurrent.Layers;
using Recurrent.Tensors;

namespace Recurrent.Models;

/// <summary>
/// A network that a checkpoint can hold: its parameters (saved under their names), the JSON config that rebuilds
/// it, and the random generator behind its initialisation and dropout (saved so that a resumed run continues the
/// same stream). <see cref="Training.ModelRegistry"/> rebuilds one from a checkpoint by its kind.
/// </summary>
public interface IModel : IHasParameters
{
    /// <summary>The architecture (and the settings it was trained with) as JSON: the checkpoint's <c>config</c> entry.</summary>
    string ConfigJson { get; }

    /// <summary>The generator behind initialisation and dropout masks.</summary>
    RandomGenerator Random { get; }

    /// <summary>The parameters training updates: <see cref="IHasParameters.Parameters"/> less any frozen ones.</summary>
    IReadOnlyList<Parameter> TrainableParameters { get; }
}

/// <summary>Helpers for every <see cref="IModel"/>.</summary>
public static class ModelExtensions
{
    /// <summary>Total number of weights, frozen ones included.</summary>
    public static long CountParameters(this IHasParameters model)
    {
        long n = 0;
        foreach (Parameter p in model.Parameters) n += p.Value.Length;
        return n;
    }

    /// <summary>
    /// Makes every parameter of <paramref name="target"/> share the storage of the same-named parameter of
    /// <paramref name="source"/>: an inference copy then reads the source's weights without holding its own.
    /// </summary>
    internal static void ShareWeights(IHasParameters target, IHasParameters source)
    {
        IReadOnlyList<Parameter> to = target.Parameters, from = source.Parameters;
        if (to.Count != from.Count) throw new InvalidOperationException($"Models differ: {to.Count} and {from.Count} parameters.");
        for (int i = 0; i < to.Count; i++)
        {
            if (to[i].Name != from[i].Name || !to[i].Value.SameShape(from[i].Value))
                throw new InvalidOperationException($"Parameter {i} differs: '{to[i].Name}' {to[i].Value} and '{from[i].Name}' {from[i].Value}.");
            to[i].Value.ShareStorage(from[i].Value);
        }
    }
}
