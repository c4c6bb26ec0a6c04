using Recurrent.Server.Api;

namespace Recurrent.Server.Models;

/// <summary>A model the server holds under a name: its description, and the capabilities (see <see cref="ModelActions"/>) it implements.</summary>
public abstract class ServedModel(string name, string kind) : IDisposable
{
    /// <summary>The name in URLs.</summary>
    public string Name { get; } = name;

    /// <summary>The checkpoint kind (<c>word</c>, <c>char</c>, <c>classifier</c>, <c>tagger</c>), or <c>vectors</c>.</summary>
    public string Kind { get; } = kind;

    public abstract int VocabularySize { get; }

    /// <summary>The labels of a classifier or tagger, in class order; null for other kinds.</summary>
    public virtual IReadOnlyList<string>? Labels => null;

    /// <summary>The length of a word vector, for word vectors; null for other kinds.</summary>
    public virtual int? Dimension => null;

    /// <summary>Number of weights.</summary>
    public abstract long Parameters { get; }

    /// <summary>What <c>GET /v1/models</c> shows of it.</summary>
    public ModelInfo Info => new(Name, Kind, VocabularySize, Labels, Dimension, ModelActions.Of(this), Parameters);

    /// <summary>Makes the inference objects requests will need first (called once, at load).</summary>
    public virtual Task WarmAsync() => Task.CompletedTask;

    public virtual void Dispose() { }
}
