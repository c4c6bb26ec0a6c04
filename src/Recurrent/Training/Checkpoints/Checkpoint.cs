using Recurrent.Tensors;

namespace Recurrent.Training.Checkpoints;

/// <summary>The contents of a checkpoint file read by <see cref="CheckpointFile.Read"/>.</summary>
public sealed class Checkpoint
{
    private readonly Dictionary<string, Tensor> _byName;

    internal Checkpoint(string path, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<NamedTensor> tensors)
    {
        Path = path;
        Metadata = metadata;
        Tensors = tensors;
        _byName = new Dictionary<string, Tensor>(tensors.Count, StringComparer.Ordinal);
        foreach (NamedTensor t in tensors) _byName.Add(t.Name, t.Tensor);
    }

    /// <summary>The file it was read from (for error messages).</summary>
    public string Path { get; }

    /// <summary>The caller's metadata entries, without the format's own (<c>format</c>, <c>format_version</c>, <c>data_sha256</c>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in the order they were written.</summary>
    public IReadOnlyList<NamedTensor> Tensors { get; }

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    /// <exception cref="RecurrentException">The checkpoint has no such tensor.</exception>
    public Tensor GetTensor(string name) =>
        _byName.TryGetValue(name, out Tensor? t) ? t
            : throw new RecurrentException($"Checkpoint '{Path}' has no tensor named '{name}' (it has {Tensors.Count}: {Describe()}).");

    /// <summary>The tensor called <paramref name="name"/>, if the file has it.</summary>
    public bool TryGetTensor(string name, out Tensor? tensor) => _byName.TryGetValue(name, out tensor);

    /// <summary>The metadata entry <paramref name="key"/>.</summary>
    /// <exception cref="RecurrentException">The checkpoint has no such entry.</exception>
    public string GetMetadata(string key) =>
        Metadata.TryGetValue(key, out string? v) ? v
            : throw new RecurrentException($"Checkpoint '{Path}' has no metadata entry '{key}' (it has: {string.Join(", ", Metadata.Keys)}).");

    private string Describe()
    {
        const int shown = 8;
        var names = Tensors.Take(shown).Select(t => t.Name);
        return string.Join(", ", names) + (Tensors.Count > shown ? ", …" : "");
    }
}
