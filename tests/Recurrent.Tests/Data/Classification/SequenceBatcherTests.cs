using Recurrent.Data.Classification;
using Recurrent.Tensors;

namespace Recurrent.Tests.Data.Classification;

public class SequenceBatcherTests
{
    /// <summary>n sequences of random lengths in [1, maxLength]; token t of sequence i is 1000·i + t + 1 (never the padding id 0), its label i mod 3.</summary>
    private static EncodedExamples Examples(int n, int maxLength, ulong seed = 5)
    {
        var random = new RandomGenerator(seed);
        var sequences = new int[n][];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            sequences[i] = new int[1 + random.NextInt(maxLength)];
            for (int t = 0; t < sequences[i].Length; t++) sequences[i][t] = 1000 * i + t + 1;
            labels[i] = i % 3;
        }
        return EncodedExamples.FromSequences(sequences, labels);
    }

    /// <summary>Every batch of the current order, copied: (tokens, steps, lengths, labels, indices).</summary>
    private static List<(int[] Tokens, int Steps, int[] Lengths, int[] Labels, int[] Indices)> Batches(SequenceBatcher batcher)
    {
        SequenceBatch batch = batcher.CreateBatch();
        var all = new List<(int[], int, int[], int[], int[])>();
        for (int k = 0; k < batcher.BatchCount; k++)
        {
            batcher.Fill(k, batch);
            all.Add((batch.Tokens.ToArray(), batch.Steps, batch.Lengths.ToArray(), batch.Labels.ToArray(), batch.Indices.ToArray()));
        }
        return all;
    }

    /// <summary>Checks each batch against the sequences, token by token, from the definition of the layout.</summary>
    private static void AssertLayout(EncodedExamples examples, SequenceBatcher batcher, PaddingSide padding, int fixedLength = 0)
    {
        SequenceBatch batch = batcher.CreateBatch();
        for (int k = 0; k < batcher.BatchCount; k++)
        {
            batcher.Fill(k, batch);
            int size = batch.Size, steps = batch.Steps;
            Assert.Equal(padding, batch.Padding);
            Assert.Equal(steps * size, batch.Tokens.Length);
            int longest = 0;
            for (int b = 0; b < size; b++)
            {
                int e = batch.Indices[b];
                ReadOnlySpan<int> sequence = examples[e];
                Assert.Equal(sequence.Length, batch.Lengths[b]);
                Assert.Equal(examples.Labels[e], batch.Labels[b]);
                longest = Math.Max(longest, sequence.Length);
                int first = padding == PaddingSide.Left ? steps - sequence.Length : 0;
                for (int t = 0; t < steps; t++)
                {
                    int expected = t >= first && t < first + sequence.Length ? sequence[t - first] : ClassificationVocabulary.PaddingId;
                    Assert.Equal(expected, batch.Tokens[t * size + b]);
                }
                // Longest first within a batch.
                if (b > 0) Assert.True(batch.Lengths[b] <= batch.Lengths[b - 1]);
            }
            Assert.Equal(fixedLength > 0 ? fixedLength : longest, steps);
            Assert.Equal(batch.Lengths.ToArray().Sum(), batch.RealSteps);
        }
    }

    [Theory]
    [InlineData(PaddingSide.Right, 0)]
    [InlineData(PaddingSide.Left, 0)]
    [InlineData(PaddingSide.Left, 30)]
    [InlineData(PaddingSide.Right, 30)]
    public void TimeMajorLayoutLengthsAndPadding(PaddingSide padding, int fixedLength)
    {
        EncodedExamples examples = Examples(53, 30);
        var batcher = new SequenceBatcher(examples, new SequenceBatcherOptions { BatchSize = 8, Padding = padding, FixedLength = fixedLength, BucketBatches = 2 });
        AssertLayout(examples, batcher, padding, fixedLength);
        batcher.ShuffleEpoch(seed: 3, epoch: 0);
        AssertLayout(examples, batcher, padding, fixedLength);
    }

    [Fact]
    public void HandWorkedBatch()
    {
        // Lengths 1, 3, 2 in one batch: longest first, so rows are sequences 1, 2, 0.
        EncodedExamples examples = EncodedExamples.FromSequences([[7], [4, 5, 6], [8, 9]], [0, 1, 0]);
        var right = new SequenceBatcher(examples, new SequenceBatcherOptions { BatchSize = 3 });
        SequenceBatch batch = right.CreateBatch();
        right.Fill(0, batch);
        Assert.Equal([1, 2, 0], batch.Indices.ToArray());
        Assert.Equal([3, 2, 1], batch.Lengths.ToArray());
        Assert.Equal([1, 0, 0], batch.Labels.ToArray());
        Assert.Equal(3, batch.Steps);
        //      t=0      t=1      t=2
        Assert.Equal([4, 8, 7, 5, 9, 0, 6, 0, 0], batch.Tokens.ToArray());

        var left = new SequenceBatcher(examples, new SequenceBatcherOptions { BatchSize = 3, Padding = PaddingSide.Left, FixedLength = 4 });
        batch = left.CreateBatch();
        left.Fill(0, batch);
        Assert.Equal(4, batch.Steps);
        Assert.Equal([0, 0, 0, 4, 0, 0, 5, 8, 0, 6, 9, 7], batch.Tokens.ToArray());
        Assert.Equal(12, batch.TotalSteps);
        Assert.Equal(6, batch.RealSteps);
    }

    [Fact]
    public void EveryExampleOncePerEpoch()
    {
        EncodedExamples examples = Examples(103, 40);
        var batcher = new SequenceBatcher(examples, new SequenceBatcherOptions { BatchSize = 10, BucketBatches = 3 });
        Assert.Equal(11, batcher.BatchCount);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            batcher.ShuffleEpoch(seed: 9, epoch);
            var batches = Batches(batcher);
            Assert.Equal(Enumerable.Range(0, 103), batches.SelectMany(b => b.Indices).Order());
            Assert.Equal(1, batches.Count(b => b.Indices.Length == 3));
            Assert.Equal(10, batches.Count(b => b.Indices.Length == 10));
        }
        batcher.OrderForEvaluation();
        Assert.Equal(Enumerable.Range(0, 103), Batches(batcher).SelectMany(b => b.Indices).Order());
    }

    [Fact]
    public void SameSeedAndEpochSameBatchesOtherwiseNot()
    {
        EncodedExamples examples = Examples(200, 50);
        var options = new SequenceBatcherOptions { BatchSize = 16, BucketBatches = 4 };
        var first = new SequenceBatcher(examples, options);
        var resumed = new SequenceBatcher(examples, options); // a fresh process resuming at (epoch 2, batch k)
        first.ShuffleEpoch(seed: 11, epoch: 0);
        first.ShuffleEpoch(seed: 11, epoch: 1);
        first.ShuffleEpoch(seed: 11, epoch: 2);
        resumed.ShuffleEpoch(seed: 11, epoch: 2);
        var a = Batches(first);
        var b = Batches(resumed);
        Assert.Equal(a.Count, b.Count);
        for (int k = 0; k < a.Count; k++)
        {
            Assert.Equal(a[k].Indices, b[k].Indices);
            Assert.Equal(a[k].Tokens, b[k].Tokens);
            Assert.Equal(a[k].Steps, b[k].Steps);
        }

        static string Order(SequenceBatcher s) => string.Join(",", Batches(s).SelectMany(x => x.Indices));
        string epoch2 = Order(first);
        first.ShuffleEpoch(seed: 11, epoch: 3);
        Assert.NotEqual(epoch2, Order(first));
        first.ShuffleEpoch(seed: 12, epoch: 2);
        Assert.NotEqual(epoch2, Order(first));

        // Which examples share a batch changes between epochs too, not only the batch order.
        static HashSet<string> Groups(SequenceBatcher s) => Batches(s).Select(x => string.Join(",", x.Indices.Order())).ToHashSet();
        first.ShuffleEpoch(seed: 11, epoch: 0);
        var groups0 = Groups(first);
        first.ShuffleEpoch(seed: 11, epoch: 1);
        Assert.True(groups0.Intersect(Groups(first)).Count() < groups0.Count / 2);
    }

    [Fact]
    public void EvaluationOrderIsSortedByLength()
    {
        EncodedExamples examples = EncodedExamples.FromSequences([[1], [1, 2], [1], [1, 2, 3], [1, 2]], [0, 0, 0, 0, 0]);
        var batcher = new SequenceBatcher(examples, new SequenceBatcherOptions { BatchSize = 2 });
        // Longest first, ties by index.
        Assert.Equal(new int[][] { [3, 1], [4, 0], [2] }, Batches(batcher).Select(b => b.Indices));
        batcher.ShuffleEpoch(1, 0);
        batcher.OrderForEvaluation();
        Assert.Equal(new int[][] { [3, 1], [4, 0], [2] }, Batches(batcher).Select(b => b.Indices));
    }

    [Fact]
    public void PaddingFraction()
    {
        // Lengths 1, 2, 3, 4 in batches of 2, evaluation order: [4, 3] and [2, 1]: 8 + 4 = 12 steps, 10 real.
        EncodedExamples examples = EncodedExamples.FromSequences([[1], [1, 2], [1, 2, 3], [1, 2, 3, 4]], [0, 0, 0, 0]);
        var batcher = new SequenceBatcher(examples, new SequenceBatcherOptions { BatchSize = 2 });
        Assert.Equal(new PaddingStatistics(10, 12), batcher.Padding());
        Assert.Equal(2.0 / 12, batcher.Padding().Fraction, 12);
        var fixedLength = new SequenceBatcher(examples, new SequenceBatcherOptions { BatchSize = 2, FixedLength = 5, Padding = PaddingSide.Left });
        Assert.Equal(new PaddingStatistics(10, 20), fixedLength.Padding());

        // On random data: equals the count over the filled batches, and bucketing cuts it.
        EncodedExamples many = Examples(1000, 100);
        var shuffled = new SequenceBatcher(many, new SequenceBatcherOptions { BatchSize = 20, BucketBatches = 1 });
        var bucketed = new SequenceBatcher(many, new SequenceBatcherOptions { BatchSize = 20, BucketBatches = 50 });
        shuffled.ShuffleEpoch(1, 0);
        bucketed.ShuffleEpoch(1, 0);
        foreach (SequenceBatcher s in new[] { shuffled, bucketed })
        {
            var batches = Batches(s);
            long real = batches.Sum(b => (long)b.Lengths.Sum());
            long total = batches.Sum(b => (long)b.Steps * b.Lengths.Length);
            Assert.Equal(new PaddingStatistics(real, total), s.Padding());
        }
        Assert.True(shuffled.Padding().Fraction > 0.3, $"{shuffled.Padding().Fraction}");
        Assert.True(bucketed.Padding().Fraction < 0.05, $"{bucketed.Padding().Fraction}");
    }

    [Fact]
    public void FillAllocatesNothing()
    {
        EncodedExamples examples = Examples(300, 60);
        var batcher = new SequenceBatcher(examples, new SequenceBatcherOptions { BatchSize = 32, Padding = PaddingSide.Left });
        SequenceBatch batch = batcher.CreateBatch();
        batcher.ShuffleEpoch(2, 0);
        batcher.Fill(0, batch); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < batcher.BatchCount; k++) batcher.Fill(k, batch);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Checks()
    {
        EncodedExamples examples = EncodedExamples.FromSequences([[1, 2, 3]], [0]);
        Assert.Throws<ArgumentException>(() => new SequenceBatcher(examples, new SequenceBatcherOptions { FixedLength = 2 }));
        Assert.Throws<ArgumentException>(() => new SequenceBatcher(EncodedExamples.FromSequences([], []), new SequenceBatcherOptions()));
        var batcher = new SequenceBatcher(examples, new SequenceBatcherOptions { BatchSize = 4 });
        Assert.Equal(1, batcher.CreateBatch().MaxSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => batcher.Fill(1, batcher.CreateBatch()));
        Assert.Throws<ArgumentException>(() => batcher.Fill(0, new SequenceBatch(1, 2)));
    }
}
