using Recurrent.Layers;

namespace Recurrent.Data.Labelling;

/// <summary>Conversions between the BIO (IOB2) and IOBES chunk tag schemes (<see cref="TaggingScheme"/>).</summary>
/// <remarks>
/// Taggers often learn IOBES (it marks chunk ends explicitly) and are scored in BIO, the scheme of the CoNLL-2000
/// files. Chunks are read as conlleval reads them, so an <c>I-X</c> that does not continue a chunk of type X (after
/// <c>O</c> or another type) starts one; converting to IOBES and back therefore repairs such sequences to valid BIO
/// with the same chunks.
/// </remarks>
public static class ChunkTags
{
    /// <summary>The IOBES tags of the chunks in <paramref name="bio"/>: one-token chunks become S-X, longer ones B-X I-X … E-X.</summary>
    /// <exception cref="RecurrentException">A tag is not O, B-X or I-X.</exception>
    public static string[] BioToIobes(IReadOnlyList<string> bio)
    {
        ArgumentNullException.ThrowIfNull(bio);
        int n = bio.Count;
        var prefixes = new char[n];
        var types = new string[n];
        for (int i = 0; i < n; i++) (prefixes[i], types[i]) = Split(bio[i], "BI", "O, B-TYPE or I-TYPE");
        var result = new string[n];
        for (int i = 0; i < n; i++)
        {
            if (prefixes[i] == 'O')
            {
                result[i] = "O";
                continue;
            }
            bool starts = prefixes[i] == 'B' || i == 0 || prefixes[i - 1] == 'O' || types[i - 1] != types[i];
            bool continues = i + 1 < n && prefixes[i + 1] == 'I' && types[i + 1] == types[i];
            char prefix = (starts, continues) switch { (true, true) => 'B', (true, false) => 'S', (false, true) => 'I', _ => 'E' };
            result[i] = prefix + "-" + types[i];
        }
        return result;
    }

    /// <summary>The BIO tags of <paramref name="iobes"/>: S-X → B-X, E-X → I-X.</summary>
    /// <exception cref="RecurrentException">A tag is not O, B-X, I-X, E-X or S-X.</exception>
    public static string[] IobesToBio(IReadOnlyList<string> iobes)
    {
        ArgumentNullException.ThrowIfNull(iobes);
        var result = new string[iobes.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var (prefix, type) = Split(iobes[i], "BIES", "O, B-TYPE, I-TYPE, E-TYPE or S-TYPE");
            result[i] = prefix switch { 'O' => "O", 'B' or 'S' => "B-" + type, _ => "I-" + type };
        }
        return result;
    }

    private static (char Prefix, string Type) Split(string tag, string prefixes, string expected)
    {
        if (tag == "O") return ('O', "");
        if (tag.Length > 2 && tag[1] == '-' && prefixes.Contains(tag[0])) return (tag[0], tag[2..]);
        throw new RecurrentException($"The tag '{tag}' is not a chunk tag of the expected scheme: {expected}.");
    }
}
