namespace Recurrent.Data.Datasets;

/// <summary>Finds a dataset's files on disk: a folder the user names, or the download cache.</summary>
internal static class DatasetLocator
{
    /// <summary>
    /// The folder that holds <paramref name="dataset"/>: <paramref name="dataDirectory"/> (<c>--data DIR</c>) when
    /// given, else the cache's <c>&lt;cache&gt;/&lt;name&gt;</c>. A folder qualifies when it has every file's
    /// name or, for word corpora, <c>train.txt</c>/<c>valid.txt</c>/<c>test.txt</c> (see <see cref="CorpusFiles"/>).
    /// </summary>
    /// <exception cref="RecurrentException">The files are not there; the message says how to get them.</exception>
    public static string Resolve(DatasetDescriptor dataset, string? dataDirectory, string? cacheDirectory = null)
    {
        string expected = string.Join(", ", FileNames(dataset));
        if (dataDirectory is not null)
        {
            if (!Directory.Exists(dataDirectory))
                throw new RecurrentException($"The --data folder '{dataDirectory}' does not exist; it should hold {expected}.");
            if (HasAll(dataset, dataDirectory) || CorpusFiles.TryFind(dataDirectory, out _)) return dataDirectory;
            string missing = string.Join(", ", FileNames(dataset).Where(name => !File.Exists(Path.Combine(dataDirectory, name))));
            throw new RecurrentException(
                $"The --data folder '{dataDirectory}' lacks {missing}; it should hold {expected}. " +
                $"To download the {dataset.Name} dataset instead, run: recurrent data get {dataset.Name}");
        }

        string cached = DatasetCache.DatasetDirectory(dataset, cacheDirectory);
        if (HasAll(dataset, cached)) return cached;
        throw new RecurrentException(
            $"The {dataset.Name} dataset is not in the cache ('{cached}'). Get it with: recurrent data get {dataset.Name} " +
            $"(add --from FILE to use {(dataset.IsArchive ? "an archive" : "a copy")} you already have), or pass --data DIR pointing at a folder with {expected}.");
    }

    /// <summary>
    /// For a dataset kept as one file (IMDb's archive): <paramref name="dataPath"/> (<c>--data PATH</c>, a file or a
    /// folder, returned as given; its contents are the reader's to judge) when given, else the cached file.
    /// </summary>
    /// <exception cref="RecurrentException"><paramref name="dataPath"/> does not exist, or the dataset is not in the cache.</exception>
    public static string ResolvePath(DatasetDescriptor dataset, string? dataPath, string? cacheDirectory = null)
    {
        if (dataPath is not null)
        {
            if (!File.Exists(dataPath) && !Directory.Exists(dataPath))
                throw new RecurrentException($"The --data path '{dataPath}' does not exist.");
            return dataPath;
        }
        if (dataset.IsArchive || dataset.Files.Count != 1)
            return Resolve(dataset, dataDirectory: null, cacheDirectory);
        string cached = Path.Combine(DatasetCache.DatasetDirectory(dataset, cacheDirectory), dataset.Files[0].FileName);
        if (File.Exists(cached)) return cached;
        throw new RecurrentException(
            $"The {dataset.Name} dataset is not in the cache ('{cached}'). Get it with: recurrent data get {dataset.Name} " +
            $"(add --from FILE to use a copy you already have), or pass --data PATH pointing at your copy.");
    }

    /// <summary>True when every file of the dataset is present in <paramref name="directory"/>.</summary>
    public static bool HasAll(DatasetDescriptor dataset, string directory)
    {
        foreach (string name in FileNames(dataset))
            if (!File.Exists(Path.Combine(directory, name))) return false;
        return true;
    }

    private static IEnumerable<string> FileNames(DatasetDescriptor dataset) => dataset.ExpectedFiles.Select(f => f.FileName);
}
