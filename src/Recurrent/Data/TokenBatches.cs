namespace Recurrent.Data;

/// <summary>
/// Cuts a token stream into truncated-BPTT minibatches the way TensorFlow's <c>ptb_iterator</c> /
/// <c>ptb_producer</c> does, and hands them out time-major.
/// </summary>
/// <remarks>
/// <para>The stream is cut into <c>B = batchSize</c> rows of length <c>L = tokens.Length / B</c>
/// (row <c>b</c> is <c>tokens[b·L .. (b+1)·L)</c>; the last <c>tokens.Length mod B</c> tokens are dropped).
/// Each row is read <c>T = numSteps</c> tokens at a time, so consecutive batches continue each row
/// and the hidden state can be carried over. There are <c>EpochSize = (L − 1) / T</c> batches
/// (the −1 leaves room for the targets, which are the inputs shifted by one).</para>
/// <para>Batch <c>i</c> is, in ptb_iterator's batch-major terms, <c>x = rows[:, i·T .. (i+1)·T)</c> and
/// <c>y = rows[:, i·T+1 .. (i+1)·T+1)</c>. <see cref="GetBatch(int, Span{int}, Span{int})"/> writes it <b>time-major</b>, the layout the
/// models consume: <c>inputs[t·B + b] = x[b, t]</c>, <c>targets[t·B + b] = y[b, t]</c>.</para>
/// <para>The tokens are referenced, not copied (an array, or a memory-mapped file of ids: <see cref="MappedTokens"/>),
/// and <see cref="GetBatch(int, Span{int}, Span{int})"/> allocates nothing.</para>
/// </remarks>
internal sealed class TokenBatches
{
    private readonly ReadOnlyMemory<int> _tokens;

    /// <exception cref="RecurrentException">The stream is too short for one batch of this size
    /// (ptb_iterator's "epoch_size == 0, decrease batch_size or num_steps").</exception>
    public TokenBatches(ReadOnlyMemory<int> tokens, int batchSize, int numSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numSteps, 1);
        _tokens = tokens;
        BatchSize = batchSize;
        NumSteps = numSteps;
        RowLength = tokens.Length / batchSize;
        EpochSize = RowLength > 0 ? (RowLength - 1) / numSteps : 0;
        if (EpochSize == 0)
            throw new RecurrentException(
                $"{tokens.Length} tokens give no batch of {batchSize} rows × {numSteps} steps (each row needs at least {numSteps + 1} tokens); decrease the batch size or the number of steps.");
    }

    /// <summary>Rows per batch (B).</summary>
    public int BatchSize { get; }

    /// <summary>Time steps per batch (T).</summary>
    public int NumSteps { get; }

    /// <summary>Tokens per row: <c>L = tokens.Length / BatchSize</c>.</summary>
    public int RowLength { get; }

    /// <summary>Batches per epoch: <c>(L − 1) / NumSteps</c>.</summary>
    public int EpochSize { get; }

    /// <summary>Same as <see cref="EpochSize"/>.</summary>
    public int Count => EpochSize;

    /// <summary>Elements in one batch's inputs (and targets): <c>NumSteps · BatchSize</c>.</summary>
    public int BatchLength => NumSteps * BatchSize;

    /// <summary>Target words predicted in one epoch: <c>EpochSize · NumSteps · BatchSize</c> (the perplexity denominator).</summary>
    public long WordsPerEpoch => (long)EpochSize * NumSteps * BatchSize;

    /// <summary>Writes batch <paramref name="index"/> time-major: <c>inputs[t·B + b]</c>, <c>targets[t·B + b]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside <c>[0, EpochSize)</c> or a span is shorter than <see cref="BatchLength"/>.</exception>
    public void GetBatch(int index, Span<int> inputs, Span<int> targets) => GetBatch(index, inputs, targets, 0, BatchSize);

    /// <summary>
    /// Writes rows <c>[firstRow, firstRow + rows)</c> of batch <paramref name="index"/> as a batch of their own,
    /// time-major: <c>inputs[t·rows + r] = x[firstRow + r, t]</c> (one process's share when several train together).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The index or the rows are out of range, or a span is shorter than <c>NumSteps · rows</c>.</exception>
    public void GetBatch(int index, Span<int> inputs, Span<int> targets, int firstRow, int rows)
    {
        if ((uint)index >= (uint)EpochSize)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Batch indices are 0 .. {EpochSize - 1}.");
        if (firstRow < 0 || rows < 0 || firstRow + rows > BatchSize)
            throw new ArgumentOutOfRangeException(nameof(rows), $"Rows {firstRow} .. {firstRow + rows} are outside 0 .. {BatchSize}.");
        int batch = rows, steps = NumSteps;
        if (inputs.Length < batch * steps) throw new ArgumentOutOfRangeException(nameof(inputs), $"Needs {batch * steps} elements.");
        if (targets.Length < batch * steps) throw new ArgumentOutOfRangeException(nameof(targets), $"Needs {batch * steps} elements.");

        ReadOnlySpan<int> tokens = _tokens.Span;
        int offset = index * steps;
        for (int b = 0; b < batch; b++)
        {
            // Row firstRow + b from this batch's first step, with one extra token for the last target.
            ReadOnlySpan<int> row = tokens.Slice((firstRow + b) * RowLength + offset, steps + 1);
            for (int t = 0; t < steps; t++)
            {
                inputs[t * batch + b] = row[t];
                targets[t * batch + b] = row[t + 1];
            }
        }
    }
}
