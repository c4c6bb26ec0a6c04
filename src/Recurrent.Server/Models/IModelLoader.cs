namespace Recurrent.Server.Models;

/// <summary>
/// Turns a <see cref="ModelSpec"/> into a served model. <see cref="ModelCatalog.Load"/> asks each loader in turn and
/// the first that <see cref="CanLoad"/> the file loads it: a file kind that is not a checkpoint (word vectors,
/// <see cref="VectorsLoader"/>) is served by a loader ahead of <see cref="CheckpointLoader"/>.
/// </summary>
public interface IModelLoader
{
    /// <summary>Whether this loader reads <paramref name="spec"/>'s file (by its extension or first bytes; not by loading it).</summary>
    bool CanLoad(ModelSpec spec);

    /// <exception cref="RecurrentException">The file is unreadable or holds a model this server cannot serve.</exception>
    ServedModel Load(ModelSpec spec, ServingContext context);
}
