namespace Recurrent.Data.Labelling;

/// <summary>A fixed mapping between tag names and ids <c>0 .. Count − 1</c> (the CRF's and the softmax's classes).</summary>
public sealed class TagSet
{
    private readonly string[] _names;
    private readonly Dictionary<string, int> _ids;

    /// <summary>A tag set whose ids are the positions of <paramref name="names"/>.</summary>
    /// <exception cref="ArgumentException">A name is repeated or empty.</exception>
    public TagSet(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        _names = names.ToArray();
        _ids = new Dictionary<string, int>(_names.Length, StringComparer.Ordinal);
        for (int i = 0; i < _names.Length; i++)
        {
            if (string.IsNullOrEmpty(_names[i])) throw new ArgumentException($"Tag {i} is empty.", nameof(names));
            if (!_ids.TryAdd(_names[i], i)) throw new ArgumentException($"The tag '{_names[i]}' appears twice.", nameof(names));
        }
    }

    /// <summary>The distinct tags of <paramref name="sentences"/>, in ordinal order (so the ids do not depend on file order).</summary>
    public static TagSet FromSentences(IEnumerable<LabelledSentence> sentences)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (LabelledSentence s in sentences)
            foreach (string tag in s.TagArray) names.Add(tag);
        return new TagSet(names);
    }

    /// <summary>Number of tags.</summary>
    public int Count => _names.Length;

    /// <summary>The tags in id order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The id of <paramref name="name"/>, if the set has it.</summary>
    public bool TryGetId(string name, out int id) => _ids.TryGetValue(name, out id);

    /// <summary>The id of <paramref name="name"/>.</summary>
    /// <exception cref="RecurrentException">The tag is not in the set.</exception>
    public int IdOf(string name) =>
        _ids.TryGetValue(name, out int id) ? id : throw new RecurrentException($"The tag '{name}' is not one of the {Count} known tags ({string.Join(" ", _names.Take(30))}{(Count > 30 ? " …" : "")}).");

    /// <summary>The name of tag <paramref name="id"/>.</summary>
    public string NameOf(int id) => (uint)id < (uint)_names.Length ? _names[id] : throw new ArgumentOutOfRangeException(nameof(id), $"Tag id {id} is outside [0, {Count}).");
}
