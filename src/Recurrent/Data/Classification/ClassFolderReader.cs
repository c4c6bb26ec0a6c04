namespace Recurrent.Data.Classification;

/// <summary>
/// Reads a folder per class: <c>DIR/&lt;class&gt;/*.txt</c>, one document per file, labelled by its folder's name; or,
/// when <c>DIR/train</c> exists, <c>DIR/train/&lt;class&gt;/*.txt</c> and (when present) <c>DIR/test/&lt;class&gt;/*.txt</c>.
/// </summary>
/// <remarks>
/// Folders whose name starts with a dot are skipped, and so are files other than <c>*.txt</c>. Classes and files are
/// taken in ordinal order of their names, so a folder always gives the same examples in the same order.
/// </remarks>
internal static class ClassFolderReader
{
    public static (List<LabeledText> Train, List<LabeledText>? Test) Read(string directory)
    {
        string trainDirectory = Path.Combine(directory, "train");
        if (!Directory.Exists(trainDirectory)) return (ReadClasses(directory), null);
        string testDirectory = Path.Combine(directory, "test");
        return (ReadClasses(trainDirectory), Directory.Exists(testDirectory) ? ReadClasses(testDirectory) : null);
    }

    /// <summary>The documents of every <c>&lt;class&gt;/*.txt</c> under <paramref name="directory"/>.</summary>
    public static List<LabeledText> ReadClasses(string directory)
    {
        string[] classes = Directory.GetDirectories(directory);
        Array.Sort(classes, StringComparer.Ordinal);
        var examples = new List<LabeledText>();
        foreach (string folder in classes)
        {
            string label = Path.GetFileName(folder);
            if (label.StartsWith('.')) continue;
            string[] files = Directory.GetFiles(folder, "*.txt");
            Array.Sort(files, StringComparer.Ordinal);
            foreach (string file in files)
            {
                string text = StrictUtf8.Decode(ReaderSupport.ReadAllBytes(file), file);
                examples.Add(ReaderSupport.Example(text, label, file));
            }
        }
        if (examples.Count == 0)
            throw new RecurrentException($"'{directory}' holds no documents: expected a folder per class with .txt files in it ({directory}/<class>/*.txt).");
        return examples;
    }
}
