using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>Operations on padded batches of sequences laid out [time, batch, features].</summary>
internal static class SequenceOps
{
    /// <summary>
    /// result[b] = sequences[lengths[b] − 1, b] (the output at each sequence's last valid step), or zeros when
    /// lengths[b] = 0. Empty <paramref name="lengths"/> means every sequence has T steps.
    /// </summary>
    /// <param name="sequences">[T, B, F].</param>
    /// <param name="lengths">Valid steps per row, or empty for T.</param>
    /// <param name="result">Resized to [B, F].</param>
    public static void SelectLast(Tensor sequences, ReadOnlySpan<int> lengths, Tensor result)
    {
        int steps = sequences.Dim(0), batch = sequences.Dim(1), features = sequences.Dim(2);
        CheckLengths(lengths, steps, batch);
        result.Resize(batch, features);
        for (int b = 0; b < batch; b++)
        {
            int length = lengths.IsEmpty ? steps : lengths[b];
            Span<float> row = result.Span.Slice(b * features, features);
            if (length == 0) row.Clear();
            else sequences.Span.Slice(((length - 1) * batch + b) * features, features).CopyTo(row);
        }
    }

    /// <summary>
    /// Backward of <see cref="SelectLast"/>: sequenceGradient is resized to [T, B, F], zeroed, and
    /// resultGradient[b] is written at step lengths[b] − 1 of row b.
    /// </summary>
    public static void SelectLastBackward(Tensor resultGradient, ReadOnlySpan<int> lengths, int steps, Tensor sequenceGradient)
    {
        int batch = resultGradient.Dim(0), features = resultGradient.Dim(1);
        CheckLengths(lengths, steps, batch);
        sequenceGradient.Resize(steps, batch, features).Clear();
        for (int b = 0; b < batch; b++)
        {
            int length = lengths.IsEmpty ? steps : lengths[b];
            if (length > 0)
                resultGradient.Span.Slice(b * features, features).CopyTo(sequenceGradient.Span.Slice(((length - 1) * batch + b) * features, features));
        }
    }

    /// <summary>
    /// Reverses each sequence within its own length, like tf.reverse_sequence: output[t, b] = input[lengths[b] − 1 − t, b]
    /// for t &lt; lengths[b]; padding steps are copied unchanged. <paramref name="output"/> (resized) must not be <paramref name="input"/>.
    /// </summary>
    public static void ReverseSequences(Tensor input, ReadOnlySpan<int> lengths, Tensor output)
    {
        if (ReferenceEquals(input, output)) throw new ArgumentException("ReverseSequences cannot work in place.", nameof(output));
        int steps = input.Dim(0), batch = input.Dim(1), features = input.Dim(2);
        CheckLengths(lengths, steps, batch);
        output.Resize(steps, batch, features);
        ReadOnlySpan<float> source = input.Span;
        Span<float> destination = output.Span;
        for (int b = 0; b < batch; b++)
        {
            int length = lengths.IsEmpty ? steps : lengths[b];
            for (int t = 0; t < steps; t++)
            {
                int from = t < length ? length - 1 - t : t;
                source.Slice((from * batch + b) * features, features).CopyTo(destination.Slice((t * batch + b) * features, features));
            }
        }
    }

    private static void CheckLengths(ReadOnlySpan<int> lengths, int steps, int batch)
    {
        if (lengths.IsEmpty) return;
        if (lengths.Length != batch) throw new ArgumentException($"Got {lengths.Length} sequence lengths for a batch of {batch}.", nameof(lengths));
        foreach (int length in lengths)
            if ((uint)length > (uint)steps) throw new ArgumentOutOfRangeException(nameof(lengths), $"Sequence length {length} is outside [0, {steps}].");
    }
}
