using Recurrent.Data;

namespace Recurrent.Tests.Data;

public class TokenBatchesTests
{
    /// <summary>
    /// Direct transcription of TensorFlow's ptb_iterator (batch-major):
    /// <code>
    /// batch_len = data_len // batch_size
    /// data[i] = raw_data[batch_len * i:batch_len * (i + 1)]
    /// epoch_size = (batch_len - 1) // num_steps
    /// x = data[:, i*num_steps:(i+1)*num_steps]; y = data[:, i*num_steps+1:(i+1)*num_steps+1]
    /// </code>
    /// </summary>
    private static IEnumerable<(int[,] X, int[,] Y)> PtbIterator(int[] raw, int batchSize, int numSteps)
    {
        int batchLen = raw.Length / batchSize;
        var data = new int[batchSize, batchLen];
        for (int i = 0; i < batchSize; i++)
            for (int j = 0; j < batchLen; j++)
                data[i, j] = raw[batchLen * i + j];
        int epochSize = (batchLen - 1) / numSteps;
        for (int i = 0; i < epochSize; i++)
        {
            var x = new int[batchSize, numSteps];
            var y = new int[batchSize, numSteps];
            for (int b = 0; b < batchSize; b++)
                for (int t = 0; t < numSteps; t++)
                {
                    x[b, t] = data[b, i * numSteps + t];
                    y[b, t] = data[b, i * numSteps + t + 1];
                }
            yield return (x, y);
        }
    }

    [Theory]
    [InlineData(103, 4, 5)]
    [InlineData(100, 4, 5)]    // L = 25: (25-1)/5 = 4 batches, last uses token 24 as a target
    [InlineData(21, 1, 4)]
    [InlineData(57, 7, 1)]
    [InlineData(64, 3, 20)]
    public void MatchesPtbIteratorTransposed(int length, int batchSize, int numSteps)
    {
        var rng = new Random(length * 31 + batchSize);
        int[] tokens = Enumerable.Range(0, length).Select(_ => rng.Next(1000)).ToArray();
        var batches = new TokenBatches(tokens, batchSize, numSteps);
        var expected = PtbIterator(tokens, batchSize, numSteps).ToList();

        Assert.Equal(expected.Count, batches.EpochSize);
        Assert.Equal(length / batchSize, batches.RowLength);
        Assert.Equal((long)expected.Count * numSteps * batchSize, batches.WordsPerEpoch);

        var inputs = new int[numSteps * batchSize];
        var targets = new int[numSteps * batchSize];
        for (int i = 0; i < expected.Count; i++)
        {
            batches.GetBatch(i, inputs, targets);
            for (int t = 0; t < numSteps; t++)
                for (int b = 0; b < batchSize; b++)
                {
                    Assert.Equal(expected[i].X[b, t], inputs[t * batchSize + b]);
                    Assert.Equal(expected[i].Y[b, t], targets[t * batchSize + b]);
                }
        }
    }

    [Fact]
    public void PtbSmallConfigCounts()
    {
        // PTB train has 929,589 tokens; ptb_word_lm's small config (B=20, T=35) gives epoch_size 1327.
        var batches = new TokenBatches(new int[929_589], 20, 35);
        Assert.Equal(46_479, batches.RowLength);
        Assert.Equal(1327, batches.EpochSize);
        Assert.Equal(1327L * 35 * 20, batches.WordsPerEpoch);
    }

    [Fact]
    public void RejectsTooShortStreamsAndBadIndices()
    {
        var e = Assert.Throws<RecurrentException>(() => new TokenBatches(new int[10], 2, 5)); // L = 5: (5-1)/5 = 0
        Assert.Contains("decrease", e.Message);
        var ok = new TokenBatches(new int[10], 2, 3);    // L = 5: (5-1)/3 = 1
        Assert.Equal(1, ok.EpochSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => ok.GetBatch(1, new int[6], new int[6]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ok.GetBatch(0, new int[5], new int[6]));
        Assert.Throws<RecurrentException>(() => new TokenBatches(new int[3], 4, 1));
    }
}
