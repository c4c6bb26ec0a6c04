namespace Recurrent.Training.Distributed;

/// <summary>
/// Which part of every training batch one process computes when <see cref="Count"/> processes train together:
/// shard <see cref="Index"/> of a batch of <c>n</c> rows (language-model streams, examples, sentences) is the
/// contiguous range <see cref="Of"/>(n), the ranges of all shards tiling <c>[0, n)</c> in order.
/// </summary>
/// <param name="Index">This process's shard, its rank: <c>0 .. Count−1</c>.</param>
/// <param name="Count">Shards, one per process.</param>
internal readonly record struct BatchShard(int Index, int Count)
{
    /// <summary>The whole batch: one process training alone.</summary>
    public static BatchShard Whole => new(0, 1);

    /// <summary>True when this shard is the whole batch.</summary>
    public bool IsWhole => Count == 1;

    /// <summary>
    /// Rows <c>[First, First + Length)</c> of a batch of <paramref name="rows"/> rows: <c>⌊n/N⌋</c> each, and one more
    /// for each of the first <c>n mod N</c> shards, so shard 0 is never empty while the batch is not, and shards
    /// differ by one row at most.
    /// </summary>
    public (int First, int Length) Of(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        int share = rows / Count, extra = rows % Count;
        int first = Index * share + Math.Min(Index, extra);
        return (first, share + (Index < extra ? 1 : 0));
    }
}
