using Recurrent.Training.Distributed;

namespace Recurrent.Tests.Training.Distributed;

public sealed class BatchShardTests
{
    [Fact]
    public void ShardsTileTheBatchInOrderAndDifferByOneRowAtMost()
    {
        for (int count = 1; count <= 7; count++)
        for (int rows = 0; rows <= 30; rows++)
        {
            int next = 0, smallest = int.MaxValue, largest = 0;
            for (int index = 0; index < count; index++)
            {
                (int first, int length) = new BatchShard(index, count).Of(rows);
                Assert.Equal(next, first);
                next += length;
                smallest = Math.Min(smallest, length);
                largest = Math.Max(largest, length);
                if (index == 0 && rows > 0) Assert.True(length > 0, "shard 0 is empty");
            }
            Assert.Equal(rows, next);
            Assert.True(largest - smallest <= 1, $"{rows} rows over {count}: shards of {smallest} to {largest}");
        }
    }

    [Fact]
    public void TheWholeShardIsTheBatch()
    {
        Assert.True(BatchShard.Whole.IsWhole);
        Assert.Equal((0, 20), BatchShard.Whole.Of(20));
        Assert.Equal((7, 7), new BatchShard(1, 3).Of(20));
        Assert.Equal((14, 6), new BatchShard(2, 3).Of(20));
    }
}
