using System.Runtime;

namespace Recurrent.Server.Models;

/// <summary>The models a server holds, by name. Requests find models here and nowhere else.</summary>
public sealed class ModelCatalog : IDisposable
{
    private readonly Dictionary<string, ServedModel> _byName = new(StringComparer.Ordinal);
    private readonly List<ServedModel> _models = [];

    /// <exception cref="RecurrentException">Two models share a name.</exception>
    public ModelCatalog(IEnumerable<ServedModel> models)
    {
        foreach (ServedModel model in models)
        {
            if (!_byName.TryAdd(model.Name, model))
                throw new RecurrentException($"Two models are named '{model.Name}'; name them apart with name=path.");
            _models.Add(model);
        }
    }

    /// <summary>The loaders tried in order when none are given: word vectors (by name, see <see cref="ModelSpec.IsVectorsFile"/>), then checkpoints of every kind.</summary>
    public static IReadOnlyList<IModelLoader> DefaultLoaders { get; } = [new VectorsLoader(), new CheckpointLoader()];

    /// <summary>Loads every spec with the first loader that takes it.</summary>
    /// <exception cref="RecurrentException">A file cannot be loaded, or two models share a name (checked before any is loaded).</exception>
    public static ModelCatalog Load(IReadOnlyList<ModelSpec> specs, ServingContext context, IReadOnlyList<IModelLoader>? loaders = null)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ModelSpec spec in specs)
            if (!names.Add(spec.Name)) throw new RecurrentException($"Two models are named '{spec.Name}'; name them apart with name=path.");
        var models = new List<ServedModel>();
        try
        {
            foreach (ModelSpec spec in specs)
            {
                IModelLoader loader = (loaders ?? DefaultLoaders).FirstOrDefault(l => l.CanLoad(spec))
                    ?? throw new RecurrentException($"{spec.Path}: no loader reads this kind of file.");
                ServedModel model = loader.Load(spec, context);
                models.Add(model);
                model.WarmAsync().GetAwaiter().GetResult();
            }
            // Making an inference object allocates weights of its own before it shares the model's; collect them now
            // (the large-object heap included) rather than let them sit until the first full collection under load.
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            return new ModelCatalog(models);
        }
        catch
        {
            foreach (ServedModel model in models) model.Dispose();
            throw;
        }
    }

    public IReadOnlyList<ServedModel> Models => _models;

    /// <summary>The model called <paramref name="name"/>.</summary>
    /// <exception cref="ApiProblemException">404: no such model (the detail lists the served names).</exception>
    public ServedModel Find(string name) =>
        _byName.TryGetValue(name, out ServedModel? model) ? model
            : throw ApiProblemException.NotFound($"No model is named '{Shorten(name)}'. This server has: {string.Join(", ", _byName.Keys)}.");

    /// <summary>The model called <paramref name="name"/> as the capability <paramref name="action"/> needs.</summary>
    /// <exception cref="ApiProblemException">404: no such model; 400: the model is of a kind that does not answer the action.</exception>
    public T Get<T>(string name, string action) where T : class
    {
        ServedModel model = Find(name);
        if (model is T capable) return capable;
        IReadOnlyList<string> actions = ModelActions.Of(model);
        throw ApiProblemException.BadRequest(
            $"Model '{name}' is a {model.Kind} model; '{action}' needs {ModelActions.Get(action).Needs}. " +
            $"Its actions: {(actions.Count == 0 ? "none" : string.Join(", ", actions))}.");
    }

    /// <summary>A name from a URL, cut for an error message.</summary>
    private static string Shorten(string name) => name.Length <= 80 ? name : name[..80] + "…";

    public void Dispose()
    {
        foreach (ServedModel model in _models) model.Dispose();
    }
}
