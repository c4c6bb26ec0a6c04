namespace Recurrent.Data.Datasets;

/// <summary>What <see cref="DatasetDownloader"/> is doing.</summary>
internal enum DatasetStage
{
    /// <summary>Receiving the archive; <see cref="DatasetProgress.Bytes"/> received so far.</summary>
    Downloading,

    /// <summary>Reading the archive and writing the member files; <see cref="DatasetProgress.Bytes"/> of the compressed archive read so far.</summary>
    Extracting,
}

/// <summary>A progress report: the stage, bytes done and bytes expected (null when the server does not say).</summary>
internal readonly record struct DatasetProgress(DatasetStage Stage, long Bytes, long? TotalBytes)
{
    /// <summary>Fraction done in [0, 1], or null when the total is unknown.</summary>
    public double? Fraction => TotalBytes is > 0 and { } total ? Math.Min(1.0, (double)Bytes / total) : null;
}
