using Recurrent.Server.Models;

namespace Recurrent.Server;

/// <summary>
/// The actions of <c>POST /v1/models/{name}/{action}</c> and the capability a served model needs for each. A model
/// answers every action whose interface it implements; a new kind of model gets its endpoints by implementing them.
/// </summary>
public static class ModelActions
{
    /// <summary>One action: its route segment, the interface that answers it, and what kind of model that is (for errors).</summary>
    public sealed record Action(string Name, Type Capability, string Needs);

    public static IReadOnlyList<Action> All { get; } =
    [
        new("next", typeof(INextTokenModel), "a word or char language model"),
        new("score", typeof(IScoringModel), "a word or char language model"),
        new("generate", typeof(IGeneratingModel), "a word or char language model"),
        new("classify", typeof(IClassifyingModel), "a classifier"),
        new("tag", typeof(ITaggingModel), "a tagger"),
        new("nearest", typeof(IWordVectorModel), "word vectors"),
        new("analogy", typeof(IWordVectorModel), "word vectors"),
        new("vector", typeof(IWordVectorModel), "word vectors"),
    ];

    /// <summary>The actions <paramref name="model"/> answers, in route order.</summary>
    public static IReadOnlyList<string> Of(ServedModel model)
    {
        var names = new List<string>();
        foreach (Action action in All)
            if (action.Capability.IsInstanceOfType(model)) names.Add(action.Name);
        return names;
    }

    /// <summary>The action called <paramref name="name"/>.</summary>
    public static Action Get(string name)
    {
        foreach (Action action in All)
            if (action.Name == name) return action;
        throw new ArgumentException($"No action '{name}'.", nameof(name));
    }
}
