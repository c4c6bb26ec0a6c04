using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;

namespace Recurrent.Data.Datasets;

/// <summary>Options of <see cref="DatasetDownloader.GetAsync"/>.</summary>
internal sealed class DatasetGetOptions
{
    /// <summary>Cache folder; null for <see cref="DatasetCache.DefaultDirectory"/>.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Download from this URL instead of the descriptor's (a mirror); for a files dataset, only when it has one file.</summary>
    public Uri? Url { get; init; }

    /// <summary>Use this already-downloaded archive instead of downloading; for a files dataset, the file itself (when it
    /// has one) or a folder holding its files by name.</summary>
    public string? FromFile { get; init; }

    /// <summary>Fetch and extract again even when verified files are already in place.</summary>
    public bool Force { get; init; }

    /// <summary>Receives progress reports on the downloading thread. Keep it quick.</summary>
    public IProgress<DatasetProgress>? Progress { get; init; }

    /// <summary>Fail when no bytes arrive for this long during the download.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The client to download with; null for a shared default one.</summary>
    public HttpClient? HttpClient { get; init; }
}

/// <summary>What <see cref="DatasetDownloader.GetAsync"/> did.</summary>
/// <param name="Directory">The folder that now holds the verified files.</param>
/// <param name="AlreadyPresent">True when verified files were already there and nothing was fetched.</param>
/// <param name="Source">The URL or file the archive came from (null when already present).</param>
/// <param name="ArchiveChecksumVerified">True when the archive matched the descriptor's published checksum.
/// It is checked for archives from the descriptor's own URL; an archive from <c>--url</c> or <c>--from</c> may be a
/// repacked copy, so for those the member files' SHA-256 decide alone. Always true for a files dataset, whose files are
/// kept as they are and so must match their published SHA-256 whatever their source.</param>
/// <param name="ArchiveSha256">SHA-256 of the archive used, or of a files dataset's single file (null when already
/// present, and for a files dataset of several files).</param>
internal sealed record DatasetGetResult(string Directory, bool AlreadyPresent, string? Source, bool ArchiveChecksumVerified, string? ArchiveSha256);

/// <summary>
/// Downloads a dataset archive, extracts and verifies its member files, and moves them into the cache; or, for a
/// files dataset, downloads and verifies each file and moves it into the cache as it is.
/// </summary>
/// <remarks>
/// Everything is written under a temporary folder inside the cache folder first (so the final moves are renames on
/// one file system). Only when every member has been extracted and its SHA-256 matches are the files moved into
/// <c>&lt;cache&gt;/&lt;name&gt;/</c>, each with an atomic rename. On any failure the temporary folder is deleted and a
/// previous copy in the cache stays as it was.
/// </remarks>
internal static class DatasetDownloader
{
    private static readonly Lazy<HttpClient> SharedClient = new(() =>
    {
        var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, ConnectTimeout = TimeSpan.FromSeconds(30) })
        {
            // The body is guarded by the stall timeout; this only bounds waiting for the response headers.
            Timeout = TimeSpan.FromMinutes(2),
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("recurrent-dataset-downloader/1");
        return client;
    });

    /// <summary>Gets <paramref name="dataset"/> into the cache.</summary>
    /// <exception cref="RecurrentException">The download fails, the archive is not a gzip tar archive, a member is
    /// missing from it, or a checksum does not match. Nothing is left half-written in the cache.</exception>
    public static async Task<DatasetGetResult> GetAsync(DatasetDescriptor dataset, DatasetGetOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        string cache = Path.GetFullPath(options.CacheDirectory ?? DatasetCache.DefaultDirectory());
        string target = DatasetCache.DatasetDirectory(dataset, cache);

        if (!options.Force && await AllVerifiedAsync(dataset, target, cancellationToken).ConfigureAwait(false))
            return new DatasetGetResult(target, AlreadyPresent: true, Source: null, ArchiveChecksumVerified: false, ArchiveSha256: null);

        try
        {
            Directory.CreateDirectory(cache);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecurrentException($"Cannot create the cache folder '{cache}': {e.Message} (choose another with --cache DIR or $RECURRENT_CACHE).", e);
        }
        string work = Path.Combine(cache, $".{dataset.Name}.{Guid.NewGuid():N}.partial");
        Directory.CreateDirectory(work);
        try
        {
            if (!dataset.IsArchive)
                return await GetFilesAsync(dataset, options, work, target, cancellationToken).ConfigureAwait(false);

            string archive;
            string source;
            bool fromDescriptorUrl;
            if (options.FromFile is { } from)
            {
                if (!File.Exists(from))
                    throw new RecurrentException($"The archive '{from}' given with --from does not exist.");
                archive = from;
                source = Path.GetFullPath(from);
                fromDescriptorUrl = false;
            }
            else
            {
                Uri url = options.Url ?? dataset.Url;
                archive = Path.Combine(work, dataset.ArchiveFileName);
                await DownloadAsync(url, archive, options, cancellationToken).ConfigureAwait(false);
                source = url.ToString();
                fromDescriptorUrl = options.Url is null || options.Url == dataset.Url;
            }

            var (archiveSha256, archiveMatches) = await HashArchiveAsync(dataset, archive, cancellationToken).ConfigureAwait(false);
            bool verified = false;
            if (dataset.ArchiveChecksum is { } expected && fromDescriptorUrl)
            {
                if (!archiveMatches)
                    throw new RecurrentException(
                        $"The archive downloaded from {source} does not match its published checksum {expected} (got SHA-256 {archiveSha256}); " +
                        "the download is corrupt or the file has changed. Nothing was changed in the cache.");
                verified = true;
            }

            Extract(dataset, archive, source, work, options.Progress, cancellationToken);

            Directory.CreateDirectory(target);
            foreach (DatasetMember m in dataset.Members)
                File.Move(Path.Combine(work, m.FileName), Path.Combine(target, m.FileName), overwrite: true);
            return new DatasetGetResult(target, AlreadyPresent: false, source, verified, archiveSha256);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>True when every member file is in <paramref name="directory"/> with the right SHA-256.</summary>
    public static async Task<bool> AllVerifiedAsync(DatasetDescriptor dataset, string directory, CancellationToken cancellationToken = default)
    {
        foreach ((string fileName, string sha256) in dataset.ExpectedFiles)
        {
            string path = Path.Combine(directory, fileName);
            if (!File.Exists(path)) return false;
            await using var stream = File.OpenRead(path);
            byte[] hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
            if (!Checksum.Sha256(sha256).Matches(hash)) return false;
        }
        return true;
    }

    private static async Task DownloadAsync(Uri url, string destination, DatasetGetOptions options, CancellationToken cancellationToken)
    {
        HttpClient client = options.HttpClient ?? SharedClient.Value;
        string hint = "If this machine cannot reach it, download it elsewhere and pass it with --from FILE, or use --url URL for a mirror.";
        HttpResponseMessage response;
        try
        {
            response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RecurrentException($"Cannot download {url}: {e.Message}. {hint}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RecurrentException($"Cannot download {url}: no response within {client.Timeout.TotalSeconds:0} s. {hint}", e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw new RecurrentException($"Cannot download {url}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}. {hint}");
            long? total = response.Content.Headers.ContentLength;
            long received = 0;
            await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using var file = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            byte[] buffer = new byte[1 << 16];
            options.Progress?.Report(new DatasetProgress(DatasetStage.Downloading, 0, total));
            while (true)
            {
                int n;
                using (var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    stall.CancelAfter(options.StallTimeout);
                    try
                    {
                        n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new RecurrentException($"Downloading {url} stalled: no data for {options.StallTimeout.TotalSeconds:0} s after {received} bytes. {hint}", e);
                    }
                    catch (IOException e)
                    {
                        throw new RecurrentException($"Downloading {url} failed after {received} bytes: {e.Message}. {hint}", e);
                    }
                }
                if (n == 0) break;
                await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                received += n;
                options.Progress?.Report(new DatasetProgress(DatasetStage.Downloading, received, total));
            }
            if (total is { } t && received != t)
                throw new RecurrentException($"Downloading {url} ended after {received} of {t} bytes. {hint}");
            // Kept files are renamed into the cache as they are: they must be on disk before the rename.
            file.Flush(flushToDisk: true);
        }
    }

    /// <summary>Gets every file of a files dataset into <paramref name="work"/>, checks its SHA-256, then moves them all into <paramref name="target"/>.</summary>
    private static async Task<DatasetGetResult> GetFilesAsync(DatasetDescriptor dataset, DatasetGetOptions options, string work, string target, CancellationToken cancellationToken)
    {
        IReadOnlyList<DatasetFile> files = dataset.Files;
        if (options.Url is not null && files.Count > 1)
            throw new RecurrentException(
                $"The {dataset.Name} dataset has {files.Count} files, each with its own URL, so --url (one URL) cannot stand for them; " +
                $"download {string.Join(", ", files.Select(f => f.FileName))} elsewhere and pass their folder with --from DIR.");
        string? fromDirectory = null;
        if (options.FromFile is { } from)
        {
            if (Directory.Exists(from)) fromDirectory = from;
            else if (!File.Exists(from))
                throw new RecurrentException($"The file '{from}' given with --from does not exist.");
            else if (files.Count > 1)
                throw new RecurrentException(
                    $"The {dataset.Name} dataset has {files.Count} files ({string.Join(", ", files.Select(f => f.FileName))}); " +
                    $"--from takes the folder that holds them, not the file '{from}'.");
        }

        var sources = new string[files.Count];
        var hashes = new string[files.Count];
        for (int i = 0; i < files.Count; i++)
        {
            DatasetFile file = files[i];
            string path = Path.Combine(work, file.FileName);
            if (options.FromFile is { } local)
            {
                string source = fromDirectory is null ? local : Path.Combine(fromDirectory, file.FileName);
                if (!File.Exists(source))
                    throw new RecurrentException($"The --from folder '{fromDirectory}' lacks {file.FileName}.");
                sources[i] = Path.GetFullPath(source);
                hashes[i] = await CopyAndHashAsync(source, path, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                Uri url = options.Url ?? file.Url;
                sources[i] = url.ToString();
                await DownloadAsync(url, path, options, cancellationToken).ConfigureAwait(false);
                await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                hashes[i] = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            }
            if (!string.Equals(hashes[i], file.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new RecurrentException(
                    $"{file.FileName} from {sources[i]} has SHA-256 {hashes[i]}, expected {file.Sha256.ToLowerInvariant()}; " +
                    $"the file is corrupt, incomplete or not the published {dataset.Name} file. Nothing was changed in the cache. " +
                    "(A copy of your own can be used without this check by passing its path with --data.)");
        }

        Directory.CreateDirectory(target);
        foreach (DatasetFile file in files)
            File.Move(Path.Combine(work, file.FileName), Path.Combine(target, file.FileName), overwrite: true);
        return new DatasetGetResult(target, AlreadyPresent: false, string.Join(", ", sources), ArchiveChecksumVerified: true,
            files.Count == 1 ? hashes[0] : null);
    }

    private static async Task<string> CopyAndHashAsync(string source, string destination, CancellationToken cancellationToken)
    {
        await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            sha.AppendData(buffer, 0, n);
        }
        output.Flush(flushToDisk: true);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static async Task<(string Sha256, bool MatchesPublished)> HashArchiveAsync(DatasetDescriptor dataset, string archive, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using IncrementalHash? published = dataset.ArchiveChecksum?.CreateHash();
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            sha.AppendData(buffer, 0, n);
            published?.AppendData(buffer, 0, n);
        }
        bool matches = published is not null && dataset.ArchiveChecksum!.Matches(published.GetHashAndReset());
        return (Convert.ToHexStringLower(sha.GetHashAndReset()), matches);
    }

    private static void Extract(DatasetDescriptor dataset, string archive, string source, string work, IProgress<DatasetProgress>? progress, CancellationToken cancellationToken)
    {
        var wanted = new Dictionary<string, DatasetMember>(StringComparer.Ordinal);
        foreach (DatasetMember m in dataset.Members) wanted[m.ArchivePath] = m;
        var done = new HashSet<string>(StringComparer.Ordinal);

        using var file = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long total = file.Length;
        // The format is told from the bytes, not the name: a zip starts with a local file header "PK\x03\x04"
        // (Mahoney's text8.zip); anything else is read as a gzip-compressed tar (PTB's simple-examples.tgz).
        Span<byte> magic = stackalloc byte[4];
        bool zip = file.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("PK\x03\x04"u8);
        file.Position = 0;
        try
        {
            if (zip)
            {
                using var archiveZip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
                foreach (ZipArchiveEntry entry in archiveZip.Entries)
                {
                    if (done.Count == wanted.Count) break;
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!wanted.TryGetValue(entry.FullName, out DatasetMember? member) || done.Contains(entry.FullName)) continue;
                    using Stream data = entry.Open();
                    ExtractMember(member, entry.FullName, data, source, work, () => progress?.Report(new DatasetProgress(DatasetStage.Extracting, file.Position, total)));
                    done.Add(entry.FullName);
                }
            }
            else
            {
                using var gzip = new GZipStream(file, CompressionMode.Decompress);
                using var tar = new TarReader(gzip);
                TarEntry? entry;
                while (done.Count < wanted.Count && (entry = tar.GetNextEntry()) is not null)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report(new DatasetProgress(DatasetStage.Extracting, file.Position, total));
                    string name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                    if (!wanted.TryGetValue(name, out DatasetMember? member) || done.Contains(name)) continue;
                    if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                        throw new RecurrentException($"The archive from {source} has '{name}' but it is not a regular file.");
                    ExtractMember(member, name, entry.DataStream, source, work, progress: null);
                    done.Add(name);
                }
            }
            progress?.Report(new DatasetProgress(DatasetStage.Extracting, total, total));
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new RecurrentException($"The archive from {source} is not a readable {(zip ? ".zip" : ".tgz (gzip-compressed tar)")} file: {e.Message}", e);
        }

        if (done.Count < wanted.Count)
        {
            string missing = string.Join(", ", wanted.Keys.Where(k => !done.Contains(k)));
            throw new RecurrentException($"The archive from {source} lacks {missing}; it is not the {dataset.Name} archive.");
        }
    }

    /// <summary>Copies one member to the work folder and checks its SHA-256, the authority for every member.</summary>
    private static void ExtractMember(DatasetMember member, string name, Stream data, string source, string work, Action? progress)
    {
        string path = Path.Combine(work, member.FileName);
        byte[] hash;
        using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            byte[] buffer = new byte[1 << 16];
            int n;
            long copied = 0;
            while ((n = data.Read(buffer)) > 0)
            {
                output.Write(buffer, 0, n);
                sha.AppendData(buffer, 0, n);
                // A zip member is one long entry (text8 is 100 MB): report as it goes, not only between entries.
                if (progress is not null && ((copied += n) & ((1 << 24) - 1)) < n) progress();
            }
            output.Flush(flushToDisk: true);
            hash = sha.GetHashAndReset();
        }
        if (!Checksum.Sha256(member.Sha256).Matches(hash))
            throw new RecurrentException(
                $"'{name}' in the archive from {source} has SHA-256 {Convert.ToHexStringLower(hash)}, expected {member.Sha256.ToLowerInvariant()}; " +
                "the archive is corrupt or is not the expected dataset. Nothing was changed in the cache.");
    }
}
