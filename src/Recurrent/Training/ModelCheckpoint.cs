using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Optimizers;
using Recurrent.Tensors;
using Recurrent.Training.Checkpoints;

namespace Recurrent.Training;

/// <summary>
/// The one checkpoint format of every model kind, on top of the file format of <see cref="CheckpointFile"/>:
/// the model's parameters under their own names, and for a resumable training checkpoint the optimizer's
/// slots (<c>optimizer/…</c>), the task's carried state (<c>state/i</c>) and the training position.
/// </summary>
/// <remarks>
/// Metadata entries (each a string, as safetensors requires): <c>model_kind</c> (a <see cref="ModelRegistry"/> name),
/// <c>config</c> (the model's config as JSON), the task's own entries (<c>vocabulary</c>, <c>labels</c>…, each JSON)
/// and, in training checkpoints, <c>training_state</c> (a <see cref="TrainingPosition"/> as JSON).
/// </remarks>
public static class ModelCheckpoint
{
    public const string KindKey = "model_kind";
    public const string ConfigKey = "config";
    public const string VocabularyKey = "vocabulary";
    public const string LabelsKey = "labels";
    public const string TrainingStateKey = "training_state";
    private const string OptimizerPrefix = "optimizer/";
    private const string StatePrefix = "state/";

    /// <summary>
    /// Writes a checkpoint atomically. Pass <paramref name="position"/>, <paramref name="optimizer"/> and
    /// <paramref name="carriedState"/> for one that training can resume from.
    /// </summary>
    /// <param name="metadata">The task's entries (vocabulary, labels…); must not use the reserved keys.</param>
    public static void Save(string path, IModel model, string kind, IReadOnlyDictionary<string, string> metadata,
        TrainingPosition? position = null, Optimizer? optimizer = null, IReadOnlyList<Tensor>? carriedState = null)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [KindKey] = kind,
            [ConfigKey] = model.ConfigJson,
        };
        foreach ((string key, string value) in metadata)
        {
            if (key is KindKey or ConfigKey or TrainingStateKey) throw new ArgumentException($"Metadata key '{key}' is reserved.", nameof(metadata));
            entries[key] = value;
        }
        var tensors = new List<NamedTensor>();
        foreach (Parameter p in model.Parameters) tensors.Add(new NamedTensor(p.Name, p.Value));
        if (position is not null)
        {
            position.RandomState = model.Random.GetState();
            entries[TrainingStateKey] = position.ToJson();
        }
        if (optimizer is not null)
            foreach ((string name, Tensor value) in optimizer.StateTensors) tensors.Add(new NamedTensor(OptimizerPrefix + name, value));
        if (carriedState is not null)
            for (int i = 0; i < carriedState.Count; i++) tensors.Add(new NamedTensor(StatePrefix + i, carriedState[i]));
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        CheckpointFile.Write(path, entries, tensors);
    }

    /// <summary>Reads a checkpoint of any registered kind and rebuilds its model with the saved weights.</summary>
    public static LoadedCheckpoint Load(string path)
    {
        if (!File.Exists(path)) throw new RecurrentException($"Checkpoint '{path}' does not exist.");
        Checkpoint checkpoint = CheckpointFile.Read(path);
        string kind = Require(checkpoint, KindKey);
        IModel model = ModelRegistry.Get(kind, path).Create(Require(checkpoint, ConfigKey), $"{path} (config)");
        foreach (Parameter p in model.Parameters)
        {
            if (!checkpoint.TryGetTensor(p.Name, out Tensor? saved) || saved is null)
                throw new RecurrentException($"{path}: the checkpoint has no tensor '{p.Name}' that its config needs.");
            if (!saved.SameShape(p.Value))
                throw new RecurrentException($"{path}: tensor '{p.Name}' is {saved} but the config needs {p.Value}.");
            saved.Span.CopyTo(p.Value.Span);
        }
        // A weight the config does not use means the config and the tensors describe different models (a config
        // edited to fewer layers, say); loading the rest would silently drop part of the trained network.
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Parameter p in model.Parameters) names.Add(p.Name);
        foreach (NamedTensor t in checkpoint.Tensors)
            if (!names.Contains(t.Name) && !t.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) && !t.Name.StartsWith(StatePrefix, StringComparison.Ordinal))
                throw new RecurrentException($"{path}: the checkpoint has a tensor '{t.Name}' {t.Tensor} but the config has no such parameter; the config and the weights disagree.");
        TrainingPosition? position = checkpoint.Metadata.TryGetValue(TrainingStateKey, out string? json)
            ? TrainingPosition.FromJson(json, path)
            : null;
        return new LoadedCheckpoint(path, kind, model, position, checkpoint);
    }

    /// <summary>Loads a checkpoint file, or a run folder's best checkpoint (its last when it has no best).</summary>
    public static LoadedCheckpoint LoadFileOrRun(string path)
    {
        if (Directory.Exists(path))
        {
            string best = System.IO.Path.Combine(path, Trainer.BestCheckpointName);
            path = File.Exists(best) ? best : System.IO.Path.Combine(path, Trainer.LastCheckpointName);
        }
        return Load(path);
    }

    /// <summary>Restores the optimizer slots, the carried state and the random stream of a training checkpoint.</summary>
    public static void RestoreTraining(LoadedCheckpoint loaded, Optimizer optimizer, IReadOnlyList<Parameter> trainable, IReadOnlyList<Tensor> carriedState)
    {
        TrainingPosition position = loaded.Position
            ?? throw new RecurrentException($"{loaded.Path}: this checkpoint holds weights only and cannot resume training.");
        var slots = new List<(string, Tensor)>();
        foreach (NamedTensor t in loaded.File.Tensors)
            if (t.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                slots.Add((t.Name[OptimizerPrefix.Length..], t.Tensor));
        optimizer.LoadState(trainable, slots, position.Step);
        for (int i = 0; i < carriedState.Count; i++)
        {
            if (!loaded.File.TryGetTensor(StatePrefix + i, out Tensor? saved) || saved is null || !saved.SameShape(carriedState[i]))
                throw new RecurrentException($"{loaded.Path}: the carried state tensor '{StatePrefix}{i}' is missing or has the wrong shape.");
            saved.Span.CopyTo(carriedState[i].Span);
        }
        if (position.RandomState.Length == 4) loaded.Model.Random.SetState(position.RandomState);
        else throw new RecurrentException($"{loaded.Path}: the training state has no random-generator state.");
    }

    private static string Require(Checkpoint checkpoint, string key) =>
        checkpoint.Metadata.TryGetValue(key, out string? value)
            ? value
            : throw new RecurrentException($"{checkpoint.Path}: not a Recurrent model checkpoint (metadata '{key}' is missing).");
}

/// <summary>A checkpoint read back: its kind, its model (with weights), its metadata, and its training position if it has one.</summary>
public sealed record LoadedCheckpoint(string Path, string Kind, IModel Model, TrainingPosition? Position, Checkpoint File)
{
    /// <summary>A metadata entry the task stored (<see cref="ModelCheckpoint.VocabularyKey"/>, <see cref="ModelCheckpoint.LabelsKey"/>…).</summary>
    public string Metadata(string key) =>
        File.Metadata.TryGetValue(key, out string? value) ? value
            : throw new RecurrentException($"{Path}: a {Kind} checkpoint without its '{key}' entry.");

    /// <summary>The vocabulary entry (JSON).</summary>
    public string VocabularyJson => Metadata(ModelCheckpoint.VocabularyKey);

    /// <summary>The model as a language model (word and char kinds).</summary>
    public LanguageModel LanguageModel => Model as LanguageModel
        ?? throw new RecurrentException($"{Path} holds a {Kind} model, not a language model.");
}
