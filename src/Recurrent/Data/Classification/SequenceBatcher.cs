using Recurrent.Tensors;

namespace Recurrent.Data.Classification;

/// <summary>Padding of a whole epoch: <c>Fraction = (TotalSteps − RealSteps) / TotalSteps</c>.</summary>
/// <param name="RealSteps">Steps that hold a token: the sum of the sequence lengths.</param>
/// <param name="TotalSteps">Steps processed: Σ over batches of T·B.</param>
internal readonly record struct PaddingStatistics(long RealSteps, long TotalSteps)
{
    /// <summary>Padded steps over processed steps.</summary>
    public double Fraction => TotalSteps == 0 ? 0 : (double)(TotalSteps - RealSteps) / TotalSteps;
}

/// <summary>
/// Cuts <see cref="EncodedExamples"/> into padded, time-major batches (<see cref="SequenceBatch"/>), in a training
/// order bucketed by length and reshuffled every epoch, or in a fixed evaluation order sorted by length.
/// </summary>
/// <remarks>
/// <para><b>Training order</b> (<see cref="ShuffleEpoch"/>), a pure function of (seed, epoch), so that a run resumed
/// at (epoch, batch) gets the same batches without saving any state: a <see cref="RandomGenerator"/> seeded from
/// (seed, epoch) shuffles all examples; each chunk of <c>BucketBatches · B</c> consecutive examples is sorted by
/// length, longest first (ties keep the shuffled order); the chunks are cut into batches of B, the last one of the
/// epoch holding the remainder; and the batch order is shuffled with the same generator. Every example is in exactly
/// one batch per epoch, batches hold sequences of similar length (little padding), and which sequences share a batch
/// changes every epoch.</para>
/// <para><b>Evaluation order</b> (<see cref="OrderForEvaluation"/>, the initial one): all examples sorted by length,
/// longest first, ties by index; batches in that order. <see cref="SequenceBatch.Indices"/> maps the results back.</para>
/// <para>Within a batch, rows are ordered longest first, so the rows still running at step t (right padding) are a
/// prefix of the batch. <see cref="Fill"/> allocates nothing.</para>
/// </remarks>
internal sealed class SequenceBatcher
{
    private readonly EncodedExamples _examples;
    private int[] _arranged;
    private int[] _scratch;
    private readonly long[] _keys;
    private readonly int[] _batchOrder;

    /// <exception cref="ArgumentException">There are no examples, or one is longer than <see cref="SequenceBatcherOptions.FixedLength"/>.</exception>
    public SequenceBatcher(EncodedExamples examples, SequenceBatcherOptions options)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BucketBatches, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.FixedLength);
        if (examples.Count == 0) throw new ArgumentException("There are no examples to batch.", nameof(examples));
        if (options.FixedLength > 0 && examples.MaxLength > options.FixedLength)
            throw new ArgumentException(
                $"A sequence of {examples.MaxLength} tokens does not fit batches of {options.FixedLength} steps; truncate to the fixed length first.", nameof(examples));
        _examples = examples;
        Options = options;
        int n = examples.Count;
        _arranged = new int[n];
        _scratch = new int[n];
        _keys = new long[n];
        BatchCount = (n + options.BatchSize - 1) / options.BatchSize;
        _batchOrder = new int[BatchCount];
        OrderForEvaluation();
    }

    public SequenceBatcherOptions Options { get; }

    /// <summary>The examples batched.</summary>
    public EncodedExamples Examples => _examples;

    /// <summary>Batches per epoch: <c>⌈N / B⌉</c>.</summary>
    public int BatchCount { get; }

    /// <summary>The most steps a batch can have: the fixed length, else the longest sequence (at least 1).</summary>
    public int MaxSteps => Options.FixedLength > 0 ? Options.FixedLength : Math.Max(1, _examples.MaxLength);

    /// <summary>Buffers big enough for every batch of this batcher.</summary>
    public SequenceBatch CreateBatch() => new(Math.Min(Options.BatchSize, _examples.Count), MaxSteps);

    /// <summary>Arranges the batches of epoch <paramref name="epoch"/> for training with <paramref name="seed"/> (see the remarks).</summary>
    public void ShuffleEpoch(ulong seed, int epoch)
    {
        int n = _examples.Count;
        var random = new RandomGenerator(EpochSeed(seed, epoch));
        for (int i = 0; i < n; i++) _arranged[i] = i;
        Shuffle(random, _arranged);

        int chunk = (int)Math.Min(n, (long)Options.BucketBatches * Options.BatchSize);
        for (int start = 0; start < n; start += chunk)
            SortByLength(start, Math.Min(chunk, n - start), _arranged);
        (_arranged, _scratch) = (_scratch, _arranged);

        for (int b = 0; b < BatchCount; b++) _batchOrder[b] = b;
        Shuffle(random, _batchOrder);
    }

    /// <summary>Arranges the batches in the evaluation order: by length, longest first, ties by index (see the remarks).</summary>
    public void OrderForEvaluation()
    {
        for (int i = 0; i < _arranged.Length; i++) _arranged[i] = i;
        SortByLength(0, _arranged.Length, _arranged);
        (_arranged, _scratch) = (_scratch, _arranged);
        for (int b = 0; b < BatchCount; b++) _batchOrder[b] = b;
    }

    /// <summary>The example indices of batch <paramref name="batchIndex"/> of the current order, in row order.</summary>
    public ReadOnlySpan<int> ExamplesOf(int batchIndex)
    {
        if ((uint)batchIndex >= (uint)BatchCount)
            throw new ArgumentOutOfRangeException(nameof(batchIndex), batchIndex, $"Batch indices are 0 .. {BatchCount - 1}.");
        int start = _batchOrder[batchIndex] * Options.BatchSize;
        return _arranged.AsSpan(start, Math.Min(Options.BatchSize, _arranged.Length - start));
    }

    /// <summary>The number of steps (T) of batch <paramref name="batchIndex"/>: the fixed length, else its longest sequence.</summary>
    public int StepsOf(int batchIndex)
    {
        ReadOnlySpan<int> rows = ExamplesOf(batchIndex);
        if (Options.FixedLength > 0) return Options.FixedLength;
        int steps = 1;
        foreach (int e in rows) steps = Math.Max(steps, _examples.LengthOf(e));
        return steps;
    }

    /// <summary>Writes batch <paramref name="batchIndex"/> of the current order into <paramref name="batch"/>.</summary>
    public void Fill(int batchIndex, SequenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ReadOnlySpan<int> rows = ExamplesOf(batchIndex);
        batch.Start(rows.Length, StepsOf(batchIndex), Options.Padding);
        for (int row = 0; row < rows.Length; row++)
        {
            int e = rows[row];
            batch.Set(row, _examples[e], _examples.Labels[e], e);
        }
    }

    /// <summary>Real and processed steps over all batches of the current order.</summary>
    public PaddingStatistics Padding()
    {
        long real = 0, total = 0;
        for (int b = 0; b < BatchCount; b++)
        {
            ReadOnlySpan<int> rows = ExamplesOf(b);
            foreach (int e in rows) real += _examples.LengthOf(e);
            total += (long)StepsOf(b) * rows.Length;
        }
        return new PaddingStatistics(real, total);
    }

    /// <summary>The generator seed of one epoch: the two numbers mixed so that neighbouring epochs and seeds give unrelated streams.</summary>
    internal static ulong EpochSeed(ulong seed, int epoch) => Mix(seed ^ Mix((ulong)(uint)epoch + 0x632BE59BD9B4E019UL));

    /// <summary>The SplitMix64 finaliser.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static void Shuffle(RandomGenerator random, Span<int> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>Writes <c>source[start .. start+count)</c> into <see cref="_scratch"/> at the same place, sorted by
    /// length descending, ties by position (a unique key each, so the result does not depend on the sort algorithm).</summary>
    private void SortByLength(int start, int count, int[] source)
    {
        Span<long> keys = _keys.AsSpan(start, count);
        for (int i = 0; i < count; i++)
            keys[i] = ((long)(int.MaxValue - _examples.LengthOf(source[start + i])) << 32) | (uint)(start + i);
        keys.Sort();
        for (int i = 0; i < count; i++) _scratch[start + i] = source[(int)(keys[i] & 0xFFFFFFFF)];
    }
}
