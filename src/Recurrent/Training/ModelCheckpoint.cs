using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Optimizers;
using Recurrent.Tensors;
using Recurrent.Training.Checkpoints;

namespace Recurrent.Training;

/// <summary>
/// What a language-model checkpoint holds, on top of the file format of <see cref="CheckpointFile"/>:
/// the model's parameters under their own names, and for a resumable training checkpoint the optimizer's
/// slots (<c>optimizer/…</c>), the carried recurrent state (<c>state/i</c>) and the training position.
/// </summary>
/// <remarks>
/// Metadata entries (each a string, as safetensors requires): <c>model_kind</c> (<c>word</c> or <c>char</c>),
/// <c>config</c> (the <see cref="LanguageModelConfig"/> as JSON), <c>vocabulary</c> (a JSON array of tokens,
/// id order) and, in training checkpoints, <c>training_state</c> (a <see cref="TrainingPosition"/> as JSON).
/// </remarks>
public static class ModelCheckpoint
{
    public const string KindKey = "model_kind";
    public const string ConfigKey = "config";
    public const string VocabularyKey = "vocabulary";
    public const string TrainingStateKey = "training_state";
    private const string OptimizerPrefix = "optimizer/";
    private const string StatePrefix = "state/";

    /// <summary>Writes a checkpoint atomically. Pass <paramref name="position"/>, <paramref name="optimizer"/> and <paramref name="state"/> for one that training can resume from.</summary>
    public static void Save(string path, LanguageModel model, string kind, string vocabularyJson,
        TrainingPosition? position = null, Optimizer? optimizer = null, RecurrentState? state = null)
    {
        var metadata = new Dictionary<string, string>
        {
            [KindKey] = kind,
            [ConfigKey] = model.Config.ToJson(),
            [VocabularyKey] = vocabularyJson,
        };
        var tensors = new List<NamedTensor>();
        foreach (Parameter p in model.Parameters) tensors.Add(new NamedTensor(p.Name, p.Value));
        if (position is not null)
        {
            position.RandomState = model.Random.GetState();
            metadata[TrainingStateKey] = position.ToJson();
        }
        if (optimizer is not null)
            foreach ((string name, Tensor value) in optimizer.StateTensors) tensors.Add(new NamedTensor(OptimizerPrefix + name, value));
        if (state is not null)
        {
            List<Tensor> stateTensors = LanguageModel.StateTensors(state);
            for (int i = 0; i < stateTensors.Count; i++) tensors.Add(new NamedTensor(StatePrefix + i, stateTensors[i]));
        }
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        CheckpointFile.Write(path, metadata, tensors);
    }

    /// <summary>Reads a checkpoint and rebuilds its model with the saved weights.</summary>
    public static LoadedCheckpoint Load(string path)
    {
        if (!File.Exists(path)) throw new RecurrentException($"Checkpoint '{path}' does not exist.");
        Checkpoint checkpoint = CheckpointFile.Read(path);
        string kind = Require(checkpoint, KindKey);
        LanguageModelConfig config = LanguageModelConfig.FromJson(Require(checkpoint, ConfigKey), $"{path} (config)");
        string vocabulary = Require(checkpoint, VocabularyKey);
        CheckAgainstFile(checkpoint, config);
        var model = new LanguageModel(config);
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
        CheckVocabulary(path, vocabulary, config);
        TrainingPosition? position = checkpoint.Metadata.TryGetValue(TrainingStateKey, out string? json)
            ? TrainingPosition.FromJson(json, path)
            : null;
        if (position is not null) CheckPosition(position, config, path);
        return new LoadedCheckpoint(path, kind, model, vocabulary, position, checkpoint);
    }

    /// <summary>Restores the optimizer slots, the carried state and the random stream of a training checkpoint.</summary>
    public static void RestoreTraining(LoadedCheckpoint loaded, Optimizer optimizer, RecurrentState state)
    {
        TrainingPosition position = loaded.Position
            ?? throw new RecurrentException($"{loaded.Path}: this checkpoint holds weights only and cannot resume training.");
        var slots = new List<(string, Tensor)>();
        foreach (NamedTensor t in loaded.File.Tensors)
            if (t.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                slots.Add((t.Name[OptimizerPrefix.Length..], t.Tensor));
        try
        {
            optimizer.LoadState(loaded.Model.Parameters, slots, position.Step);
        }
        catch (RecurrentException e)
        {
            throw new RecurrentException($"{loaded.Path}: {e.Message}", e);
        }
        List<Tensor> stateTensors = LanguageModel.StateTensors(state);
        for (int i = 0; i < stateTensors.Count; i++)
        {
            if (!loaded.File.TryGetTensor(StatePrefix + i, out Tensor? saved) || saved is null || !saved.SameShape(stateTensors[i]))
                throw new RecurrentException($"{loaded.Path}: the carried state tensor '{StatePrefix}{i}' is missing or has the wrong shape.");
            saved.Span.CopyTo(stateTensors[i].Span);
        }
        if (position.RandomState.Length == 4) loaded.Model.Random.SetState(position.RandomState);
        else throw new RecurrentException($"{loaded.Path}: the training state has no random-generator state.");
    }

    /// <summary>
    /// What can be checked before the model is built: the config describes no model far larger than the weights the
    /// file holds (so a config edited or corrupted to a huge model is refused before it is allocated), and every
    /// stored value is finite.
    /// </summary>
    private static void CheckAgainstFile(Checkpoint checkpoint, LanguageModelConfig config)
    {
        string path = checkpoint.Path;
        try
        {
            config.Validate();
        }
        catch (RecurrentException e)
        {
            throw new RecurrentException($"{path} (config): {e.Message}", e);
        }
        long stored = 0;
        foreach (NamedTensor t in checkpoint.Tensors)
        {
            if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(t.Tensor.Span))
                throw new RecurrentException($"{path}: tensor '{t.Name}' holds NaN or infinite values; the checkpoint is unusable (was it written after training diverged?).");
            if (!t.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) && !t.Name.StartsWith(StatePrefix, StringComparison.Ordinal))
                stored += t.Tensor.Length;
        }
        // A config a little off is built and then compared tensor by tensor, which names the tensor that differs;
        // one far larger than the weights stored is refused here, before its model is allocated.
        long needed = MemoryEstimate.For(config).ParameterCount;
        if (needed > 4 * stored + (1 << 16))
            throw new RecurrentException($"{path}: its config describes a model of {needed:N0} weights but the file holds only {stored:N0}; the config and the weights disagree.");
    }

    /// <summary>The vocabulary must be a JSON array of vocab_size distinct tokens, or the commands would index past it.</summary>
    private static void CheckVocabulary(string path, string vocabularyJson, LanguageModelConfig config)
    {
        int words;
        try
        {
            words = Data.Vocabulary.FromJson(vocabularyJson).Count;
        }
        catch (RecurrentException e)
        {
            throw new RecurrentException($"{path}: {e.Message}", e);
        }
        if (words != config.VocabSize)
            throw new RecurrentException($"{path}: the vocabulary has {words:N0} entries but the config's vocab_size is {config.VocabSize:N0}.");
    }

    /// <summary>A training position must describe a place in this run: counters not negative, an epoch within the run, every finished epoch recorded.</summary>
    private static void CheckPosition(TrainingPosition position, LanguageModelConfig config, string path)
    {
        if (position.Epoch < 0 || position.Epoch > config.MaxMaxEpoch || position.Batch < 0 || position.Step < 0
            || position.EpochTokens < 0 || position.EpochSeconds < 0 || position.History is null || position.History.Count != position.Epoch
            || position.History.Contains(null!) || position.RandomState is null || double.IsNaN(position.BestValidLoss) || !double.IsFinite(position.EpochLoss))
            throw new RecurrentException($"{path}: the training state is not consistent (epoch {position.Epoch} of {config.MaxMaxEpoch}, batch {position.Batch}, step {position.Step}, {position.History?.Count ?? 0} epochs recorded).");
    }

    private static string Require(Checkpoint checkpoint, string key) =>
        checkpoint.Metadata.TryGetValue(key, out string? value)
            ? value
            : throw new RecurrentException($"{checkpoint.Path}: not a Recurrent model checkpoint (metadata '{key}' is missing).");
}

/// <summary>A checkpoint read back: its model (with weights), vocabulary, and training position if it has one.</summary>
public sealed record LoadedCheckpoint(string Path, string Kind, LanguageModel Model, string VocabularyJson, TrainingPosition? Position, Checkpoint File);
