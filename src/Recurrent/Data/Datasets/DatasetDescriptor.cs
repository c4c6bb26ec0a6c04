namespace Recurrent.Data.Datasets;

/// <summary>
/// A downloadable dataset: a <c>.tgz</c> archive at <see cref="Url"/> and the files to take out of it.
/// </summary>
/// <param name="Name">Short name used on the command line and as the cache subfolder (<c>ptb</c>).</param>
/// <param name="Url">Where the archive is published.</param>
/// <param name="ArchiveChecksum">The archive's published checksum when one is known; the member checksums are the authority either way.</param>
/// <param name="Members">The files to extract and verify.</param>
public sealed record DatasetDescriptor(string Name, Uri Url, Checksum? ArchiveChecksum, IReadOnlyList<DatasetMember> Members)
{
    /// <summary>File name of the archive, from the URL (used for the temporary download).</summary>
    public string ArchiveFileName => Path.GetFileName(Url.AbsolutePath) is { Length: > 0 } name ? name : Name + ".tgz";
}

/// <summary>One file of a dataset.</summary>
/// <param name="ArchivePath">Path inside the archive (<c>simple-examples/data/ptb.train.txt</c>); a leading <c>./</c> in the archive is ignored.</param>
/// <param name="FileName">Name in the dataset folder (<c>ptb.train.txt</c>).</param>
/// <param name="Sha256">SHA-256 of the file, hex.</param>
public sealed record DatasetMember(string ArchivePath, string FileName, string Sha256);
