namespace Recurrent.Data.Classification;

/// <summary>How <see cref="SequenceBatcher"/> cuts and pads batches.</summary>
internal sealed record SequenceBatcherOptions
{
    /// <summary>Sequences per batch (B); the last batch of an epoch may hold fewer.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Where padding goes.</summary>
    public PaddingSide Padding { get; init; } = PaddingSide.Right;

    /// <summary>When positive, every batch has exactly this many steps (the book's left padding to 200); 0 makes each
    /// batch as long as its longest sequence. No sequence may be longer.</summary>
    public int FixedLength { get; init; }

    /// <summary>Training batches are bucketed by length within chunks of this many batches (see
    /// <see cref="SequenceBatcher.ShuffleEpoch"/>); 1 only shuffles. On IMDb's 22,500 training reviews in batches of
    /// 100, 100 gives 0.7 % padding at 200 tokens (50: 1.1 %, 1: 19.7 %) and 7 % without truncation (50: 10.6 %).</summary>
    public int BucketBatches { get; init; } = 100;
}
