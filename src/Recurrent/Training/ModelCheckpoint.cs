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
    /// <summary>Metadata key of the model kind (<c>word</c>, <c>char</c>, <c>classifier</c>, <c>tagger</c>…).</summary>
    public const string KindKey = "model_kind";
    /// <summary>Metadata key of the model's config (JSON).</summary>
    public const string ConfigKey = "config";
    /// <summary>Metadata key of the vocabulary (JSON).</summary>
    public const string VocabularyKey = "vocabulary";
    /// <summary>Metadata key of a classifier's labels (a JSON array, in class order).</summary>
    public const string LabelsKey = "labels";
    /// <summary>Metadata key of the training position of a resumable checkpoint (JSON).</summary>
    public const string TrainingStateKey = "training_state";
    private const string OptimizerPrefix = "optimizer/";
    private const string StatePrefix = "state/";

    /// <summary>
    /// Writes a checkpoint atomically. Pass <paramref name="position"/>, <paramref name="optimizer"/> and
    /// <paramref name="carriedState"/> for one that training can resume from.
    /// </summary>
    /// <param name="metadata">The task's entries (vocabulary, labels…); must not use the reserved keys.</param>
    internal static void Save(string path, IModel model, string kind, IReadOnlyDictionary<string, string> metadata,
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
        ModelKind modelKind = ModelRegistry.Get(kind, path);
        string configJson = Require(checkpoint, ConfigKey);
        CheckAgainstFile(checkpoint, modelKind, configJson);
        IModel model;
        try
        {
            model = modelKind.Create(configJson, $"{path} (config)");
        }
        catch (RecurrentException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new RecurrentException($"{path} (config): {e.Message}", e);
        }
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
        CheckVocabulary(path, checkpoint.Metadata.GetValueOrDefault(VocabularyKey), kind, model);
        TrainingPosition? position = checkpoint.Metadata.TryGetValue(TrainingStateKey, out string? json)
            ? TrainingPosition.FromJson(json, path)
            : null;
        if (position is not null) CheckPosition(position, path);
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
    internal static void RestoreTraining(LoadedCheckpoint loaded, Optimizer optimizer, IReadOnlyList<Parameter> trainable, IReadOnlyList<Tensor> carriedState)
    {
        TrainingPosition position = loaded.Position
            ?? throw new RecurrentException($"{loaded.Path}: this checkpoint holds weights only and cannot resume training.");
        var slots = new List<(string, Tensor)>();
        foreach (NamedTensor t in loaded.File.Tensors)
            if (t.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                slots.Add((t.Name[OptimizerPrefix.Length..], t.Tensor));
        try
        {
            optimizer.LoadState(trainable, slots, position.Step);
        }
        catch (RecurrentException e)
        {
            throw new RecurrentException($"{loaded.Path}: {e.Message}", e);
        }
        for (int i = 0; i < carriedState.Count; i++)
        {
            if (!loaded.File.TryGetTensor(StatePrefix + i, out Tensor? saved) || saved is null || !saved.SameShape(carriedState[i]))
                throw new RecurrentException($"{loaded.Path}: the carried state tensor '{StatePrefix}{i}' is missing or has the wrong shape.");
            saved.Span.CopyTo(carriedState[i].Span);
        }
        if (position.RandomState.Length == 4) loaded.Model.Random.SetState(position.RandomState);
        else throw new RecurrentException($"{loaded.Path}: the training state has no random-generator state.");
    }

    /// <summary>
    /// What can be checked before the model is built: the config describes no model far larger than the weights the
    /// file holds (so a config edited or corrupted to a huge model is refused before it is allocated), and every
    /// stored value is finite.
    /// </summary>
    /// <summary>
    /// Before a model is built from a checkpoint: every tensor must be finite, and a config describing a model far
    /// larger than the weights stored is refused before its model is allocated (a config a little off is built and
    /// then compared tensor by tensor, which names the tensor that differs).
    /// </summary>
    private static void CheckAgainstFile(Checkpoint checkpoint, ModelKind kind, string configJson)
    {
        string path = checkpoint.Path;
        long stored = 0;
        foreach (NamedTensor t in checkpoint.Tensors)
        {
            if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(t.Tensor.Span))
                throw new RecurrentException($"{path}: tensor '{t.Name}' holds NaN or infinite values; the checkpoint is unusable (was it written after training diverged?).");
            if (!t.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) && !t.Name.StartsWith(StatePrefix, StringComparison.Ordinal))
                stored += t.Tensor.Length;
        }
        if (kind.EstimateParameters is null) return;
        long needed;
        try
        {
            needed = kind.EstimateParameters(configJson, $"{path} (config)");
        }
        catch (RecurrentException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new RecurrentException($"{path} (config): {e.Message}", e);
        }
        if (needed > 4 * stored + (1 << 16))
            throw new RecurrentException($"{path}: its config describes a model of {needed:N0} weights but the file holds only {stored:N0}; the config and the weights disagree.");
    }

    /// <summary>
    /// A model with a vocabulary (language models, classifiers) needs it: a JSON array of as many distinct tokens as the
    /// model has rows, or the commands would index past it. (A damaged header key, which no checksum covers, can lose it.)
    /// </summary>
    private static void CheckVocabulary(string path, string? vocabularyJson, string kind, IModel model)
    {
        int? expected = model switch
        {
            LanguageModel lm => lm.Config.VocabSize,
            SequenceClassifier c => c.Config.VocabSize,
            _ => null,
        };
        if (expected is null) return;
        if (vocabularyJson is null)
            throw new RecurrentException($"{path}: a {kind} checkpoint without its '{VocabularyKey}' entry; the model cannot read or write text without it.");
        int words;
        try
        {
            words = Data.Vocabulary.FromJson(vocabularyJson).Count;
        }
        catch (RecurrentException e)
        {
            throw new RecurrentException($"{path}: {e.Message}", e);
        }
        if (words != expected)
            throw new RecurrentException($"{path}: the vocabulary has {words:N0} entries but the config's vocab_size is {expected:N0}.");
    }

    /// <summary>A training position must describe a place in a run: counters not negative, every finished epoch recorded.</summary>
    private static void CheckPosition(TrainingPosition position, string path)
    {
        if (position.Epoch < 0 || (position.Epochs > 0 && position.Epoch > position.Epochs) || position.Batch < 0 || position.Step < 0
            || position.EpochCount < 0 || position.EpochItems < 0 || position.EpochSeconds < 0 || position.History is null || position.History.Count != position.Epoch
            || position.History.Contains(null!) || position.RandomState is null || position.BestValue is double.NaN || !double.IsFinite(position.EpochLoss))
            throw new RecurrentException($"{path}: the training state is not consistent (epoch {position.Epoch} of {position.Epochs}, batch {position.Batch}, step {position.Step}, {position.History?.Count ?? 0} epochs recorded).");
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
