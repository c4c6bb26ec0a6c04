using Recurrent.Models;
using Recurrent.Training;

namespace Recurrent.Server.Models;

/// <summary>Loads a checkpoint file or a run folder (<see cref="ModelCheckpoint.LoadFileOrRun"/>) of any kind the server has an endpoint for.</summary>
public sealed class CheckpointLoader : IModelLoader
{
    /// <summary>Takes every file: checkpoints are the default, and loading one that is not says so.</summary>
    public bool CanLoad(ModelSpec spec) => true;

    public ServedModel Load(ModelSpec spec, ServingContext context)
    {
        LoadedCheckpoint loaded = ModelCheckpoint.LoadFileOrRun(spec.Path);
        return loaded.Kind switch
        {
            "word" or "char" => new ServedLanguageModel(spec.Name, loaded, context),
            "classifier" => new ServedClassifier(spec.Name, ClassifierCheckpoint.From(loaded), context),
            "tagger" => new ServedTagger(spec.Name, loaded, context),
            var kind => throw new RecurrentException($"{spec.Path}: a {kind} model has no endpoints in this server yet."),
        };
    }
}
