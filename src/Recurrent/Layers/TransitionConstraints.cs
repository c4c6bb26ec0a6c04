namespace Recurrent.Layers;

/// <summary>
/// Which tag may follow which in a <see cref="LinearChainCrf"/>, and which tags may start and end a sequence.
/// A disallowed transition gets the score −∞: no path that uses it has any probability, and Viterbi never takes it.
/// </summary>
/// <remarks>
/// <para><see cref="ForScheme"/> derives the constraints of a chunk tag set.</para>
/// <para>BIO: <c>I-X</c> may not start a sequence and may follow only <c>B-X</c> or <c>I-X</c>; everything else is allowed.</para>
/// <para>IOBES: a sequence starts with <c>B-X</c>, <c>S-X</c> or <c>O</c> and ends with <c>E-X</c>, <c>S-X</c> or <c>O</c>;
/// <c>B-X</c> and <c>I-X</c> are followed only by <c>I-X</c> or <c>E-X</c>; <c>E-X</c>, <c>S-X</c> and <c>O</c> only by
/// <c>B-Y</c>, <c>S-Y</c> or <c>O</c> (any type Y).</para>
/// </remarks>
public sealed class TransitionConstraints
{
    private readonly bool[] _allowed;
    private readonly bool[] _start;
    private readonly bool[] _end;

    /// <summary>Constraints over <paramref name="tagCount"/> tags that allow everything; narrow them with the <c>Disallow</c> methods.</summary>
    public TransitionConstraints(int tagCount)
    {
        if (tagCount <= 0) throw new ArgumentOutOfRangeException(nameof(tagCount), "A tag set needs at least one tag.");
        TagCount = tagCount;
        _allowed = new bool[tagCount * tagCount];
        _start = new bool[tagCount];
        _end = new bool[tagCount];
        Array.Fill(_allowed, true);
        Array.Fill(_start, true);
        Array.Fill(_end, true);
    }

    /// <summary>Number of tags.</summary>
    public int TagCount { get; }

    /// <summary>True when tag <paramref name="to"/> may directly follow tag <paramref name="from"/>.</summary>
    public bool IsAllowed(int from, int to) => _allowed[Check(from) * TagCount + Check(to)];

    /// <summary>True when a sequence may begin with <paramref name="tag"/>.</summary>
    public bool IsAllowedStart(int tag) => _start[Check(tag)];

    /// <summary>True when a sequence may end with <paramref name="tag"/>.</summary>
    public bool IsAllowedEnd(int tag) => _end[Check(tag)];

    /// <summary>Forbids tag <paramref name="to"/> right after tag <paramref name="from"/>.</summary>
    public void Disallow(int from, int to) => _allowed[Check(from) * TagCount + Check(to)] = false;

    /// <summary>Forbids a sentence to start with <paramref name="tag"/>.</summary>
    public void DisallowStart(int tag) => _start[Check(tag)] = false;

    /// <summary>Forbids a sentence to end with <paramref name="tag"/>.</summary>
    public void DisallowEnd(int tag) => _end[Check(tag)] = false;

    /// <summary>
    /// The position of the first tag of <paramref name="tags"/> that breaks a constraint: 0 when the first tag may not
    /// start a sequence, t when tags[t] may not follow tags[t − 1], <c>tags.Length</c> when the last tag may not end one;
    /// −1 when the sequence is allowed (an empty sequence always is).
    /// </summary>
    public int FirstViolation(ReadOnlySpan<int> tags)
    {
        if (tags.IsEmpty) return -1;
        if (!IsAllowedStart(tags[0])) return 0;
        for (int t = 1; t < tags.Length; t++)
            if (!IsAllowed(tags[t - 1], tags[t])) return t;
        return IsAllowedEnd(tags[^1]) ? -1 : tags.Length;
    }

    /// <summary>
    /// The constraints of the chunk tags <paramref name="tags"/> (tag id = position in the list) under
    /// <paramref name="scheme"/>. Each tag is <c>O</c> or <c>P-TYPE</c>, split at its first hyphen as conlleval does,
    /// with P one of the scheme's prefixes (B, I for BIO; B, I, E, S for IOBES).
    /// </summary>
    /// <exception cref="RecurrentException">A tag does not belong to the scheme (the message names it).</exception>
    public static TransitionConstraints ForScheme(IReadOnlyList<string> tags, TaggingScheme scheme)
    {
        ArgumentNullException.ThrowIfNull(tags);
        int k = tags.Count;
        var prefixes = new char[k];
        var types = new string[k];
        string allowedPrefixes = scheme == TaggingScheme.Bio ? "BI" : "BIES";
        for (int i = 0; i < k; i++)
        {
            string tag = tags[i];
            int dash = tag.IndexOf('-');
            if (tag == "O")
            {
                prefixes[i] = 'O';
                types[i] = "";
            }
            else if (dash == 1 && tag.Length > 2 && allowedPrefixes.Contains(tag[0]))
            {
                prefixes[i] = tag[0];
                types[i] = tag[2..];
            }
            else
            {
                string expected = scheme == TaggingScheme.Bio ? "O, B-TYPE or I-TYPE" : "O, B-TYPE, I-TYPE, E-TYPE or S-TYPE";
                throw new RecurrentException($"The tag '{tag}' is not a {scheme.ToString().ToUpperInvariant()} chunk tag; expected {expected}.");
            }
        }

        var c = new TransitionConstraints(k);
        for (int to = 0; to < k; to++)
        {
            char p = prefixes[to];
            bool inside = p is 'I' or 'E'; // continues a chunk begun before it
            if (inside) c.DisallowStart(to);
            if (scheme == TaggingScheme.Iobes && p is 'B' or 'I') c.DisallowEnd(to);
            for (int from = 0; from < k; from++)
            {
                char q = prefixes[from];
                bool open = q is 'B' or 'I'; // a chunk of type types[from] is still open after it
                bool ok = inside
                    ? open && types[from] == types[to]
                    : scheme == TaggingScheme.Bio || !open;
                if (!ok) c.Disallow(from, to);
            }
        }
        return c;
    }

    private int Check(int tag)
    {
        if ((uint)tag >= (uint)TagCount) throw new ArgumentOutOfRangeException(nameof(tag), $"Tag {tag} is outside [0, {TagCount}).");
        return tag;
    }
}
