using Recurrent.Models;

namespace Recurrent.Training;

/// <summary>One kind of model a checkpoint can hold, and how to rebuild it from the checkpoint's config.</summary>
/// <param name="Name">The <c>model_kind</c> stored in checkpoints (<c>word</c>, <c>char</c>, <c>classifier</c>).</param>
/// <param name="Description">One line for <c>recurrent info</c>.</param>
/// <param name="Create">Builds the model (with fresh weights) from its config JSON; the second argument names the source in errors.</param>
/// <param name="EstimateParameters">The number of weights a config describes, computed without building the model
/// (so a damaged config asking for terabytes is refused before allocation); null when the kind has no estimate.</param>
internal sealed record ModelKind(string Name, string Description, Func<string, string, IModel> Create, Func<string, string, long>? EstimateParameters = null);

/// <summary>
/// Every model kind that checkpoints can hold. Loading goes by the kind stored in the checkpoint, so one loader
/// serves every task; a new task registers its kind here.
/// </summary>
internal static class ModelRegistry
{
    private static readonly Dictionary<string, ModelKind> Kinds = new(StringComparer.Ordinal);

    static ModelRegistry()
    {
        Register(new ModelKind("word", "word-level language model", LanguageModelFactory, LanguageModelWeights));
        Register(new ModelKind("char", "character-level language model", LanguageModelFactory, LanguageModelWeights));
        Register(new ModelKind("classifier", "sequence classifier", (json, source) => new SequenceClassifier(SequenceClassifierConfig.FromJson(json, source)),
            (json, source) => MemoryEstimate.For(SequenceClassifierConfig.FromJson(json, source), steps: 1, batch: 1).ParameterCount));
        Register(new ModelKind("tagger", "sequence tagger", (json, source) => new SequenceTagger(SequenceTaggerConfig.FromJson(json, source)),
            (json, source) => MemoryEstimate.For(SequenceTaggerConfig.FromJson(json, source), steps: 1, batch: 1).ParameterCount));
    }

    private static IModel LanguageModelFactory(string json, string source) => new LanguageModel(LanguageModelConfig.FromJson(json, source));

    private static long LanguageModelWeights(string json, string source)
    {
        LanguageModelConfig config = LanguageModelConfig.FromJson(json, source);
        config.Validate();
        return MemoryEstimate.For(config).ParameterCount;
    }

    /// <summary>Adds a kind; a name can be registered once.</summary>
    public static void Register(ModelKind kind)
    {
        lock (Kinds)
            if (!Kinds.TryAdd(kind.Name, kind)) throw new InvalidOperationException($"Model kind '{kind.Name}' is registered twice.");
    }

    /// <summary>The kind called <paramref name="name"/>.</summary>
    /// <exception cref="RecurrentException">No such kind; <paramref name="source"/> names the checkpoint.</exception>
    public static ModelKind Get(string name, string source)
    {
        lock (Kinds)
            return Kinds.TryGetValue(name, out ModelKind? kind) ? kind
                : throw new RecurrentException($"{source}: unknown model kind '{name}'; this version knows {string.Join(", ", Kinds.Keys)}.");
    }

    /// <summary>Every registered kind.</summary>
    public static IReadOnlyList<ModelKind> All
    {
        get { lock (Kinds) return [.. Kinds.Values]; }
    }
}
