using System.Text.RegularExpressions;

namespace Recurrent.Server;

/// <summary>
/// One model to serve: its public name and the file it comes from. A name is only ever a key: requests name
/// models, never files, so no request can make the server open a path.
/// </summary>
public sealed partial record ModelSpec
{
    public ModelSpec(string name, string path)
    {
        if (!IsValidName(name))
            throw new RecurrentException($"'{name}' is not a model name: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        ArgumentException.ThrowIfNullOrEmpty(path);
        Name = name;
        Path = path;
    }

    /// <summary>The name in URLs (<c>/v1/models/{name}/…</c>).</summary>
    public string Name { get; }

    /// <summary>The checkpoint file or run folder, or a word-vectors file.</summary>
    public string Path { get; }

    /// <summary>
    /// Read <see cref="Path"/> as a word-vectors file whatever its name (the argument had the <c>vectors:</c> prefix).
    /// Without it, files ending in <see cref="VectorsExtensions"/> are vectors and everything else a checkpoint.
    /// </summary>
    public bool Vectors { get; init; }

    /// <summary>The prefix that marks a word-vectors file of any name: <c>vectors:PATH</c> or <c>vectors:NAME=PATH</c>.</summary>
    public const string VectorsPrefix = "vectors:";

    /// <summary>File extensions read as word2vec or GloVe vectors (text or binary, told apart by their content).</summary>
    public static IReadOnlyList<string> VectorsExtensions { get; } = [".vec", ".bin", ".txt"];

    /// <summary>Whether the spec names a word-vectors file: <see cref="Vectors"/>, or a file whose extension is one of <see cref="VectorsExtensions"/>.</summary>
    public bool IsVectorsFile => Vectors || (File.Exists(Path) && VectorsExtensions.Contains(System.IO.Path.GetExtension(Path), StringComparer.OrdinalIgnoreCase));

    /// <summary>
    /// Reads a command-line argument: <c>name=path</c>, or a path whose file stem (folder name for a run folder)
    /// becomes the name. Text before the first <c>=</c> counts as a name only when it is a valid one, so a path
    /// that holds <c>=</c> in a folder name still reads as a path. Either form may follow <c>vectors:</c>, which
    /// reads the file as word vectors whatever its extension.
    /// </summary>
    /// <exception cref="RecurrentException">The stem of the path is not a valid name (then <c>name=path</c> is needed).</exception>
    public static ModelSpec Parse(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        if (argument.StartsWith(VectorsPrefix, StringComparison.Ordinal) && argument.Length > VectorsPrefix.Length)
            return ParseNamed(argument[VectorsPrefix.Length..]) with { Vectors = true };
        return ParseNamed(argument);
    }

    private static ModelSpec ParseNamed(string argument)
    {
        int equals = argument.IndexOf('=');
        if (equals > 0 && IsValidName(argument[..equals]) && equals + 1 < argument.Length)
            return new ModelSpec(argument[..equals], argument[(equals + 1)..]);
        string stem = System.IO.Path.GetFileNameWithoutExtension(System.IO.Path.TrimEndingDirectorySeparator(argument));
        if (!IsValidName(stem))
            throw new RecurrentException($"'{argument}': its name would be '{stem}', which is not a model name (letters, digits, '.', '_', '-'); give one with name=path.");
        return new ModelSpec(stem, argument);
    }

    /// <summary>1 to 64 of <c>[A-Za-z0-9._-]</c>, the first a letter or digit (so never <c>.</c> or <c>..</c>).</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
