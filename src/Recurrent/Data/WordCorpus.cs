namespace Recurrent.Data;

/// <summary>
/// A word-level corpus split into train, valid and test token streams that share one vocabulary,
/// laid out like Mikolov's PTB (<c>ptb.train.txt</c>, <c>ptb.valid.txt</c>, <c>ptb.test.txt</c>).
/// </summary>
public sealed class WordCorpus
{
    private WordCorpus(CorpusFiles files, Vocabulary vocabulary, int[] train, int[] valid, int[] test)
    {
        Files = files;
        Vocabulary = vocabulary;
        Train = train;
        Valid = valid;
        Test = test;
    }

    /// <summary>Where the three splits were read from.</summary>
    public CorpusFiles Files { get; }

    /// <summary>The words of the training file (plus <c>&lt;eos&gt;</c>), ordered as the model's token ids.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Token ids of the training split, one <c>&lt;eos&gt;</c> after every line.</summary>
    public int[] Train { get; }

    /// <summary>The validation file as token ids, one <c>&lt;eos&gt;</c> after every line.</summary>
    public int[] Valid { get; }

    /// <summary>The test file as token ids, one <c>&lt;eos&gt;</c> after every line.</summary>
    public int[] Test { get; }

    /// <summary>
    /// Loads the corpus in <paramref name="directory"/>. The vocabulary is built from the training
    /// file (<see cref="Vocabulary.FromFile"/>); valid and test are mapped with it.
    /// </summary>
    /// <exception cref="RecurrentException">A file is missing or holds a word the vocabulary cannot map.</exception>
    public static WordCorpus Load(string directory) => Load(directory, vocabulary: null);

    /// <summary>
    /// Loads the corpus with a given vocabulary (for example the one stored in a checkpoint), or builds it
    /// from the training file when <paramref name="vocabulary"/> is null.
    /// </summary>
    public static WordCorpus Load(string directory, Vocabulary? vocabulary)
    {
        CorpusFiles files = CorpusFiles.Find(directory);
        vocabulary ??= Vocabulary.FromFile(files.Train);
        return new WordCorpus(files, vocabulary,
            WordFile.ReadIds(files.Train, vocabulary),
            WordFile.ReadIds(files.Valid, vocabulary),
            WordFile.ReadIds(files.Test, vocabulary));
    }
}

/// <summary>The paths of a corpus's three splits.</summary>
public sealed record CorpusFiles(string Train, string Valid, string Test)
{
    /// <summary>The accepted file names of each split, in order of preference.</summary>
    public static readonly IReadOnlyList<(string Split, string[] Names)> Layouts =
    [
        ("train", ["ptb.train.txt", "train.txt"]),
        ("valid", ["ptb.valid.txt", "valid.txt"]),
        ("test", ["ptb.test.txt", "test.txt"]),
    ];

    /// <summary>True when <paramref name="directory"/> holds all three splits.</summary>
    public static bool TryFind(string directory, out CorpusFiles? files)
    {
        files = null;
        var found = new string[3];
        for (int i = 0; i < 3; i++)
        {
            string? path = FindSplit(directory, Layouts[i].Names);
            if (path is null) return false;
            found[i] = path;
        }
        files = new CorpusFiles(found[0], found[1], found[2]);
        return true;
    }

    /// <summary>Finds the three splits in <paramref name="directory"/>.</summary>
    /// <exception cref="RecurrentException">The folder or one of the splits is missing.</exception>
    public static CorpusFiles Find(string directory)
    {
        if (!Directory.Exists(directory))
            throw new RecurrentException($"The data folder '{directory}' does not exist.");
        var missing = new List<string>();
        foreach (var (split, names) in Layouts)
            if (FindSplit(directory, names) is null) missing.Add($"{split} ({string.Join(" or ", names)})");
        if (TryFind(directory, out CorpusFiles? files) && files is not null) return files;
        throw new RecurrentException(
            $"The data folder '{directory}' lacks the {string.Join(", ", missing)} split{(missing.Count > 1 ? "s" : "")}; " +
            "a corpus folder holds ptb.train.txt, ptb.valid.txt and ptb.test.txt (or train.txt, valid.txt and test.txt).");
    }

    private static string? FindSplit(string directory, string[] names)
    {
        foreach (string name in names)
        {
            string path = Path.Combine(directory, name);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
