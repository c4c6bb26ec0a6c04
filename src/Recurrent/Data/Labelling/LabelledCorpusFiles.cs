namespace Recurrent.Data.Labelling;

/// <summary>The files of a tagging corpus: a training file and, when there are, a development and a test file.</summary>
public sealed record LabelledCorpusFiles(string Train, string? Dev, string? Test)
{
    /// <summary>Names of the OCR letters file, which holds every word (the protocol splits them, by fold or at random).</summary>
    public static readonly IReadOnlyList<string> OcrNames = ["letter.data", "letter.data.gz"];

    /// <summary>The accepted names of each split in a folder, in order of preference; <c>*</c> stands for any treebank name.</summary>
    public static readonly IReadOnlyList<(string Split, string[] Patterns)> Layouts =
    [
        ("train", ["train.txt", "train.txt.gz", "*-ud-train.conllu", "*-ud-train.conllu.gz"]),
        ("dev", ["dev.txt", "dev.txt.gz", "valid.txt", "valid.txt.gz", "*-ud-dev.conllu", "*-ud-dev.conllu.gz"]),
        ("test", ["test.txt", "test.txt.gz", "*-ud-test.conllu", "*-ud-test.conllu.gz"]),
    ];

    /// <summary>
    /// <paramref name="path"/> itself when it is a file (the training file, nothing else), or the splits found in the
    /// folder <paramref name="path"/> by their usual names (<see cref="Layouts"/>): <c>train.txt</c>/<c>test.txt</c>
    /// (CoNLL-2000), <c>*-ud-train.conllu[.gz]</c>/<c>-dev</c>/<c>-test</c> (Universal Dependencies). A folder with
    /// <c>letter.data[.gz]</c> (OCR) gives that file alone, whatever else is there. The dev and test files are optional.
    /// </summary>
    /// <exception cref="RecurrentException">Nothing is at <paramref name="path"/>, the folder has no training file, or
    /// two files match the same split pattern (two treebanks in one folder).</exception>
    public static LabelledCorpusFiles Find(string path)
    {
        if (File.Exists(path)) return new LabelledCorpusFiles(path, null, null);
        if (!Directory.Exists(path)) throw new RecurrentException($"The data path '{path}' is neither a file nor a folder.");
        foreach (string name in OcrNames)
            if (File.Exists(Path.Combine(path, name))) return new LabelledCorpusFiles(Path.Combine(path, name), null, null);
        string? train = FindSplit(path, Layouts[0].Patterns);
        if (train is null)
            throw new RecurrentException(
                $"The data folder '{path}' has no training file; expected one of {string.Join(", ", Layouts[0].Patterns.Concat(OcrNames))} " +
                "(with dev and test files named alike), or pass the file itself.");
        return new LabelledCorpusFiles(train, FindSplit(path, Layouts[1].Patterns), FindSplit(path, Layouts[2].Patterns));
    }

    /// <summary>The format of <paramref name="path"/>, from its name: <c>*.conllu[.gz]</c>, <c>letter.data[.gz]</c>, else CoNLL columns.</summary>
    public static LabelledFormat FormatOf(string path)
    {
        string name = Path.GetFileName(path);
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) name = name[..^3];
        if (name.EndsWith(".conllu", StringComparison.OrdinalIgnoreCase)) return LabelledFormat.ConllU;
        if (name.Equals("letter.data", StringComparison.OrdinalIgnoreCase)) return LabelledFormat.OcrLetters;
        return LabelledFormat.ConllColumns;
    }

    private static string? FindSplit(string directory, string[] patterns)
    {
        // Every file any pattern of the split matches; x.conllu and x.conllu.gz are one file in two forms, but two
        // different names (two treebanks) leave the choice open.
        var matches = new List<string>();
        foreach (string pattern in patterns)
            foreach (string path in Directory.GetFiles(directory, pattern))
                if (!matches.Contains(path)) matches.Add(path);
        if (matches.Count == 0) return null;
        var names = matches.Select(m => Path.GetFileName(m) is var n && n.EndsWith(".gz", StringComparison.Ordinal) ? n[..^3] : n)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (names.Count > 1)
            throw new RecurrentException(
                $"The data folder '{directory}' has {names.Count} candidate files for one split ({string.Join(", ", names)}); keep one corpus per folder or pass the file.");
        return matches[0]; // patterns are in order of preference: the uncompressed form first
    }
}
