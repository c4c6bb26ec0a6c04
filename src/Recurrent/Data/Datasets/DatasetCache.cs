namespace Recurrent.Data.Datasets;

/// <summary>Where downloaded datasets are kept.</summary>
internal static class DatasetCache
{
    /// <summary>
    /// The cache folder: <c>$RECURRENT_CACHE</c>, else <c>$XDG_CACHE_HOME/recurrent</c>, else <c>~/.cache/recurrent</c>.
    /// </summary>
    public static string DefaultDirectory()
    {
        string? explicitDir = Environment.GetEnvironmentVariable("RECURRENT_CACHE");
        if (!string.IsNullOrEmpty(explicitDir)) return explicitDir;
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg)) return Path.Combine(xdg, "recurrent");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "recurrent");
    }

    /// <summary>The folder that holds <paramref name="dataset"/>'s files: <c>&lt;cache&gt;/&lt;name&gt;</c>.</summary>
    public static string DatasetDirectory(DatasetDescriptor dataset, string? cacheDirectory = null) =>
        Path.Combine(cacheDirectory ?? DefaultDirectory(), dataset.Name);
}
