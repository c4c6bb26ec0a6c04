namespace Recurrent.Data.Datasets;

/// <summary>Finds a dataset's files on disk: a folder the user names, or the download cache.</summary>
public static class DatasetLocator
{
    /// <summary>
    /// The folder that holds <paramref name="dataset"/>: <paramref name="dataDirectory"/> (<c>--data DIR</c>) when
    /// given, else the cache's <c>&lt;cache&gt;/&lt;name&gt;</c>. A folder qualifies when it has every member's file
    /// name or, for word corpora, <c>train.txt</c>/<c>valid.txt</c>/<c>test.txt</c> (see <see cref="CorpusFiles"/>).
    /// </summary>
    /// <exception cref="RecurrentException">The files are not there; the message says how to get them.</exception>
    public static string Resolve(DatasetDescriptor dataset, string? dataDirectory, string? cacheDirectory = null)
    {
        string expected = string.Join(", ", dataset.Members.Select(m => m.FileName));
        if (dataDirectory is not null)
        {
            if (!Directory.Exists(dataDirectory))
                throw new RecurrentException($"The --data folder '{dataDirectory}' does not exist; it should hold {expected}.");
            if (HasAll(dataset, dataDirectory) || CorpusFiles.TryFind(dataDirectory, out _)) return dataDirectory;
            string missing = string.Join(", ", dataset.Members.Where(m => !File.Exists(Path.Combine(dataDirectory, m.FileName))).Select(m => m.FileName));
            throw new RecurrentException(
                $"The --data folder '{dataDirectory}' lacks {missing}; it should hold {expected}. " +
                $"To download the {dataset.Name} dataset instead, run: recurrent data get {dataset.Name}");
        }

        string cached = DatasetCache.DatasetDirectory(dataset, cacheDirectory);
        if (HasAll(dataset, cached)) return cached;
        throw new RecurrentException(
            $"The {dataset.Name} dataset is not in the cache ('{cached}'). Get it with: recurrent data get {dataset.Name} " +
            $"(add --from FILE to use an archive you already have), or pass --data DIR pointing at a folder with {expected}.");
    }

    /// <summary>True when every member file is present in <paramref name="directory"/>.</summary>
    public static bool HasAll(DatasetDescriptor dataset, string directory)
    {
        foreach (DatasetMember m in dataset.Members)
            if (!File.Exists(Path.Combine(directory, m.FileName))) return false;
        return true;
    }
}
