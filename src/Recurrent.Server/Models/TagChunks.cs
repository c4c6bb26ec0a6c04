using Recurrent.Server.Api;

namespace Recurrent.Server.Models;

/// <summary>The chunks of a sentence's chunk tags, read as conlleval reads them.</summary>
public static class TagChunks
{
    /// <summary>
    /// The chunks <paramref name="tags"/> (<c>O</c> or <c>P-TYPE</c>, P one of B, I, E, S) mark over <paramref name="tokens"/>.
    /// A chunk starts at B or S, and at an I or E that does not continue a chunk of its type (after O, after a
    /// chunk's end, or after another type); it ends at E or S, and before a token that does not continue it.
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length, or a tag is not a chunk tag.</exception>
    public static IReadOnlyList<TaggedChunk> Of(IReadOnlyList<string> tokens, IReadOnlyList<string> tags)
    {
        if (tokens.Count != tags.Count) throw new ArgumentException($"{tokens.Count} tokens but {tags.Count} tags.", nameof(tags));
        var chunks = new List<TaggedChunk>();
        int start = -1;
        string type = "";
        for (int i = 0; i < tags.Count; i++)
        {
            (char prefix, string current) = Split(tags[i]);
            bool continues = start >= 0 && prefix is 'I' or 'E' && current == type;
            if (!continues)
            {
                Close(i);
                if (prefix != 'O')
                {
                    start = i;
                    type = current;
                }
            }
            if (prefix is 'E' or 'S') Close(i + 1);
        }
        Close(tags.Count);
        return chunks;

        void Close(int end)
        {
            if (start < 0) return;
            var words = new string[end - start];
            for (int t = start; t < end; t++) words[t - start] = tokens[t];
            chunks.Add(new TaggedChunk(type, start, end, string.Join(' ', words)));
            start = -1;
        }
    }

    private static (char Prefix, string Type) Split(string tag)
    {
        if (tag == "O") return ('O', "");
        if (tag.Length > 2 && tag[1] == '-' && "BIES".Contains(tag[0])) return (tag[0], tag[2..]);
        throw new ArgumentException($"'{tag}' is not a chunk tag (O, B-TYPE, I-TYPE, E-TYPE or S-TYPE).", nameof(tag));
    }
}
