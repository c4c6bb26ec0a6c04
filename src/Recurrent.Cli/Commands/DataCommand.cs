using System.CommandLine;
using Recurrent.Data.Datasets;
using Spectre.Console;

namespace Recurrent.Cli.Commands;

/// <summary><c>recurrent data get NAME</c>: downloads a dataset into the cache and verifies it.</summary>
public static class DataCommand
{
    public static Command Create()
    {
        var data = new Command("data", "Datasets: download and verify.");
        data.Subcommands.Add(CreateGet());
        return data;
    }

    private static Command CreateGet()
    {
        var name = new Argument<string>("dataset")
        {
            Description = $"Dataset to get ({string.Join(", ", KnownDatasets.All.Select(d => d.Name))}).",
        };
        var cache = new Option<string?>("--cache")
        {
            Description = "Cache folder (default: $RECURRENT_CACHE, else $XDG_CACHE_HOME/recurrent, else ~/.cache/recurrent).",
        };
        var url = new Option<string?>("--url") { Description = "Download the archive from this URL (a mirror) instead of the canonical one." };
        var from = new Option<string?>("--from") { Description = "Use this already-downloaded archive (or file, or folder of files) instead of downloading." };
        var force = new Option<bool>("--force") { Description = "Fetch and extract again even when verified files are present." };

        var get = new Command("get", "Download a dataset into the cache and verify its files' SHA-256.");
        get.Arguments.Add(name);
        get.Options.Add(cache);
        get.Options.Add(url);
        get.Options.Add(from);
        get.Options.Add(force);
        get.SetAction(async (parseResult, cancellationToken) =>
        {
            CommandTree.ApplyCommon(parseResult);
            DatasetDescriptor dataset = KnownDatasets.Get(parseResult.GetValue(name)!);
            string? urlText = parseResult.GetValue(url);
            string? fromFile = parseResult.GetValue(from);
            if (urlText is not null && fromFile is not null)
                throw new RecurrentException("Give either --url or --from, not both.");
            Uri? mirror = null;
            if (urlText is not null && (!Uri.TryCreate(urlText, UriKind.Absolute, out mirror) || mirror.Scheme is not ("http" or "https")))
                throw new RecurrentException($"--url '{urlText}' is not an http or https URL.");

            var options = new DatasetGetOptions
            {
                CacheDirectory = parseResult.GetValue(cache),
                Url = mirror,
                FromFile = fromFile,
                Force = parseResult.GetValue(force),
            };
            string target = DatasetCache.DatasetDirectory(dataset, options.CacheDirectory);
            if (!options.Force && await DatasetDownloader.AllVerifiedAsync(dataset, target, cancellationToken))
            {
                Console.WriteLine($"{dataset.Name}: already in {target}, {dataset.ExpectedFiles.Count} files verified (SHA-256). Use --force to fetch again.");
                return 0;
            }
            string source = fromFile ?? (mirror ?? dataset.Url).ToString();
            Console.Error.WriteLine($"{dataset.Name}: {(fromFile is null ? "downloading" : "using")} {source}");
            DatasetGetResult result = await RunWithProgressAsync(dataset, options, cancellationToken);
            if (!dataset.IsArchive)
            {
                Console.WriteLine($"{dataset.Name}: {string.Join(", ", dataset.Files.Select(f => f.FileName))} verified (SHA-256) in {result.Directory}.");
                return 0;
            }
            string archiveNote = result.ArchiveChecksumVerified
                ? $"archive matches its published checksum {dataset.ArchiveChecksum}"
                : dataset.ArchiveChecksum is null
                    ? "no published archive checksum"
                    : "archive checksum not checked (archive not from the canonical URL)";
            Console.WriteLine($"{dataset.Name}: {dataset.Members.Count} files verified (SHA-256) in {result.Directory}; {archiveNote}; archive SHA-256 {result.ArchiveSha256}.");
            return 0;
        });
        return get;
    }

    private static async Task<DatasetGetResult> RunWithProgressAsync(DatasetDescriptor dataset, DatasetGetOptions options, CancellationToken cancellationToken)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsErrorRedirected)
        {
            var plain = new PlainProgress();
            return await DatasetDownloader.GetAsync(dataset, CopyWithProgress(options, plain), cancellationToken);
        }

        DatasetGetResult? result = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
            .StartAsync(async context =>
            {
                ProgressTask download = context.AddTask("download", autoStart: false);
                // A files dataset is only downloaded: no extraction bar that would never move.
                ProgressTask extract = dataset.IsArchive ? context.AddTask("extract", autoStart: false) : download;
                var reporter = new SpectreProgress(download, extract);
                result = await DatasetDownloader.GetAsync(dataset, CopyWithProgress(options, reporter), cancellationToken);
                foreach (ProgressTask t in (ProgressTask[])[download, extract])
                    if (t.IsStarted) t.Value = t.MaxValue;
            });
        return result!;
    }

    private static DatasetGetOptions CopyWithProgress(DatasetGetOptions o, IProgress<DatasetProgress> progress) => new()
    {
        CacheDirectory = o.CacheDirectory,
        Url = o.Url,
        FromFile = o.FromFile,
        Force = o.Force,
        StallTimeout = o.StallTimeout,
        HttpClient = o.HttpClient,
        Progress = progress,
    };

    /// <summary>Spectre.Console bars; <see cref="ProgressTask"/> is safe to update from the downloading thread.</summary>
    private sealed class SpectreProgress(ProgressTask download, ProgressTask extract) : IProgress<DatasetProgress>
    {
        public void Report(DatasetProgress value)
        {
            ProgressTask task = value.Stage == DatasetStage.Downloading ? download : extract;
            if (!task.IsStarted) task.StartTask();
            task.IsIndeterminate = value.TotalBytes is null;
            if (value.TotalBytes is { } total) task.MaxValue = Math.Max(1, total);
            task.Value = value.Bytes;
        }
    }

    /// <summary>For logs and pipes: a line per 10% (or per 5 MB when the size is unknown).</summary>
    private sealed class PlainProgress : IProgress<DatasetProgress>
    {
        private DatasetStage? _stage;
        private long _nextMark;

        public void Report(DatasetProgress value)
        {
            if (value.Stage != _stage)
            {
                _stage = value.Stage;
                _nextMark = 0;
            }
            if (value.Bytes < _nextMark) return;
            long step = value.TotalBytes is > 0 and { } total ? Math.Max(1, total / 10) : 5 << 20;
            _nextMark = (value.Bytes / step + 1) * step;
            string stage = value.Stage == DatasetStage.Downloading ? "downloaded" : "extracted";
            string amount = value.TotalBytes is { } t
                ? $"{value.Bytes / 1e6:0.0} / {t / 1e6:0.0} MB ({100.0 * value.Bytes / Math.Max(1, t):0}%)"
                : $"{value.Bytes / 1e6:0.0} MB";
            Console.Error.WriteLine($"  {stage} {amount}");
        }
    }
}
