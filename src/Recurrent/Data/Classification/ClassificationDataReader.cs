namespace Recurrent.Data.Classification;

/// <summary>
/// Reads a labelled text data set from a file or folder: IMDb's archive or folder, CSV, TSV, JSON Lines, or a folder
/// per class (see <see cref="ClassificationFormat"/>).
/// </summary>
public static class ClassificationDataReader
{
    /// <summary>Reads <paramref name="path"/>, and <see cref="ClassificationReadOptions.TestPath"/> when given.</summary>
    /// <exception cref="RecurrentException">The path does not exist, its format cannot be told, or the data is bad: the
    /// message names the file and line (a missing column, an empty text or label, a test label never seen in training,
    /// bytes that are not UTF-8, a single class, no examples).</exception>
    public static ClassificationData Read(string path, ClassificationReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= ClassificationReadOptions.Default;
        var (train, test) = ReadSplits(path, DetectFormat(path, options.Format), options);
        if (options.TestPath is { } testPath)
        {
            if (test is not null)
                throw new RecurrentException($"'{path}' already holds a test split ({test.Count} examples); --test cannot add another.");
            var (separate, nested) = ReadSplits(testPath, DetectFormat(testPath, options.Format), options);
            if (nested is not null)
                throw new RecurrentException($"The --test data '{testPath}' has train and test splits of its own; give it a single split.");
            if (separate.Count == 0)
                throw new RecurrentException($"The --test data '{testPath}' holds no labelled examples.");
            test = separate;
        }
        return new ClassificationData(train, test, path);
    }

    /// <summary>The format of <paramref name="path"/>: <paramref name="requested"/> unless it is <see cref="ClassificationFormat.Auto"/>.</summary>
    /// <exception cref="RecurrentException">The path does not exist, the format does not fit it (a folder for a file
    /// format or the reverse), or it cannot be told from the name.</exception>
    public static ClassificationFormat DetectFormat(string path, ClassificationFormat requested = ClassificationFormat.Auto)
    {
        bool isFolder = Directory.Exists(path);
        if (!isFolder && !File.Exists(path))
            throw new RecurrentException($"The data path '{path}' does not exist.");
        if (isFolder)
        {
            if (requested is ClassificationFormat.Auto)
                return Directory.Exists(Path.Combine(path, "aclImdb")) || ImdbReader.IsImdbFolder(path) ? ClassificationFormat.Imdb : ClassificationFormat.Folders;
            if (requested is ClassificationFormat.Imdb or ClassificationFormat.Folders) return requested;
            throw new RecurrentException($"'{path}' is a folder, but --format {Name(requested)} reads a file.");
        }
        if (requested is ClassificationFormat.Folders)
            throw new RecurrentException($"'{path}' is a file, but --format folders reads a folder per class.");
        if (requested is not ClassificationFormat.Auto) return requested;

        string name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".tar.gz", StringComparison.Ordinal) || name.EndsWith(".tgz", StringComparison.Ordinal)) return ClassificationFormat.Imdb;
        return Path.GetExtension(name) switch
        {
            ".csv" => ClassificationFormat.Csv,
            ".tsv" or ".tab" => ClassificationFormat.Tsv,
            ".jsonl" or ".ndjson" => ClassificationFormat.JsonLines,
            _ => throw new RecurrentException(
                $"Cannot tell the format of '{path}' from its name: expected .csv, .tsv, .jsonl, IMDb's .tar.gz, or a folder. Choose one with --format."),
        };
    }

    /// <summary>The name of <paramref name="format"/> on the command line (<c>jsonl</c>, <c>csv</c>, …).</summary>
    internal static string Name(ClassificationFormat format) => format switch
    {
        ClassificationFormat.JsonLines => "jsonl",
        _ => format.ToString().ToLowerInvariant(),
    };

    /// <summary>The format named <paramref name="name"/> on the command line (see <see cref="Name"/>; case-insensitive).</summary>
    /// <exception cref="RecurrentException">No format has that name.</exception>
    internal static ClassificationFormat ParseFormat(string name)
    {
        foreach (ClassificationFormat format in Enum.GetValues<ClassificationFormat>())
            if (string.Equals(Name(format), name, StringComparison.OrdinalIgnoreCase)) return format;
        throw new RecurrentException(
            $"Unknown --format '{name}'; known: {string.Join(", ", Enum.GetValues<ClassificationFormat>().Select(Name))}.");
    }

    private static (List<LabeledText> Train, List<LabeledText>? Test) ReadSplits(string path, ClassificationFormat format, ClassificationReadOptions options)
    {
        switch (format)
        {
            case ClassificationFormat.Imdb:
                if (!Directory.Exists(path)) return ImdbReader.ReadArchive(path);
                string inner = Path.Combine(path, "aclImdb");
                return ImdbReader.ReadFolder(Directory.Exists(inner) ? inner : path);
            case ClassificationFormat.Folders:
                return ClassFolderReader.Read(path);
            case ClassificationFormat.Csv:
                return (DelimitedReader.Read(path, ',', options), null);
            case ClassificationFormat.Tsv:
                return (DelimitedReader.Read(path, '\t', options), null);
            case ClassificationFormat.JsonLines:
                return (JsonLinesReader.Read(path, options), null);
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, null);
        }
    }
}
