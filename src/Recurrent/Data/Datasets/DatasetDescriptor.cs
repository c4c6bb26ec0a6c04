namespace Recurrent.Data.Datasets;

/// <summary>
/// A downloadable dataset, in one of two layouts:
/// <list type="bullet">
/// <item>an archive: a <c>.tgz</c> or <c>.zip</c> at <see cref="Url"/> whose <see cref="Members"/> are extracted and
/// verified (PTB's simple-examples.tgz, Mahoney's text8.zip); the archive itself is not kept;</item>
/// <item>files: each of <see cref="Files"/> downloaded from its own URL and kept as it is, verified by its SHA-256
/// (IMDb's aclImdb_v1.tar.gz, which is read without extraction; CoNLL-2000's train.txt.gz and test.txt.gz).</item>
/// </list>
/// </summary>
/// <param name="Name">Short name used on the command line and as the cache subfolder (<c>ptb</c>).</param>
/// <param name="Url">Where the archive is published; for a files dataset, the first file's URL.</param>
/// <param name="ArchiveChecksum">The archive's published checksum when one is known; the member checksums are the authority either way.</param>
/// <param name="Members">The files to extract and verify; empty for a files dataset.</param>
internal sealed record DatasetDescriptor(string Name, Uri Url, Checksum? ArchiveChecksum, IReadOnlyList<DatasetMember> Members)
{
    /// <summary>A dataset of files kept as downloaded, each checked against its SHA-256.</summary>
    /// <exception cref="ArgumentException">No files, or two with the same file name.</exception>
    public DatasetDescriptor(string name, IReadOnlyList<DatasetFile> files)
        : this(name, FirstUrl(files), ArchiveChecksum: null, Members: [])
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (DatasetFile f in files)
            if (!names.Add(f.FileName)) throw new ArgumentException($"Dataset '{name}' names the file '{f.FileName}' twice.", nameof(files));
        Files = files;
    }

    /// <summary>The files kept as downloaded; empty for an archive dataset.</summary>
    public IReadOnlyList<DatasetFile> Files { get; private init; } = [];

    /// <summary>True for an archive whose members are extracted; false for files kept as downloaded.</summary>
    public bool IsArchive => Files.Count == 0;

    /// <summary>File name of the archive, from the URL (used for the temporary download).</summary>
    public string ArchiveFileName => Path.GetFileName(Url.AbsolutePath) is { Length: > 0 } name ? name : Name + ".tgz";

    /// <summary>The names of the files in the dataset's folder, with their SHA-256.</summary>
    public IReadOnlyList<(string FileName, string Sha256)> ExpectedFiles =>
        IsArchive ? Members.Select(m => (m.FileName, m.Sha256)).ToArray() : Files.Select(f => (f.FileName, f.Sha256)).ToArray();

    private static Uri FirstUrl(IReadOnlyList<DatasetFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0) throw new ArgumentException("A files dataset needs at least one file.", nameof(files));
        return files[0].Url;
    }
}

/// <summary>One file of an archive dataset.</summary>
/// <param name="ArchivePath">Path inside the archive (<c>simple-examples/data/ptb.train.txt</c>); a leading <c>./</c> in the archive is ignored.</param>
/// <param name="FileName">Name in the dataset folder (<c>ptb.train.txt</c>).</param>
/// <param name="Sha256">SHA-256 of the file, hex.</param>
internal sealed record DatasetMember(string ArchivePath, string FileName, string Sha256);

/// <summary>One file of a files dataset, kept as downloaded.</summary>
/// <param name="Url">Where the file is published.</param>
/// <param name="FileName">Name in the dataset folder (<c>aclImdb_v1.tar.gz</c>).</param>
/// <param name="Sha256">SHA-256 of the file as published, hex.</param>
internal sealed record DatasetFile(Uri Url, string FileName, string Sha256);
