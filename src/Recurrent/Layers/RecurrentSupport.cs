using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>Checks and small loops shared by the recurrent layers.</summary>
internal static class RecurrentSupport
{
    /// <summary>Validates an input tensor [T, B, features] and returns (T, B).</summary>
    public static (int Steps, int Batch) CheckInput(Tensor input, int features, string layer)
    {
        if (input.Rank != 3 || input.Dim(2) != features)
            throw new ArgumentException($"{layer}: input must be [time, batch, {features}], got {input}.", nameof(input));
        return (input.Dim(0), input.Dim(1));
    }

    /// <summary>Validates a gradient tensor against the shape of the last forward pass.</summary>
    public static void CheckGradient(Tensor gradient, int steps, int batch, int features, string layer)
    {
        if (gradient.Rank != 3 || gradient.Dim(0) != steps || gradient.Dim(1) != batch || gradient.Dim(2) != features)
            throw new ArgumentException($"{layer}: output gradient must be [{steps}, {batch}, {features}], got {gradient}.", nameof(gradient));
    }

    /// <summary>Validates a leaf state's shapes.</summary>
    public static void CheckState(RecurrentState state, int batch, int hidden, bool hasCell, string layer)
    {
        if (state.IsComposite || state.Hidden.Rank != 2 || state.Hidden.Dim(0) != batch || state.Hidden.Dim(1) != hidden
            || (state.Cell is null) == hasCell
            || (state.Cell is not null && (state.Cell.Rank != 2 || state.Cell.Dim(0) != batch || state.Cell.Dim(1) != hidden)))
            throw new ArgumentException($"{layer}: state must be [{batch}, {hidden}]{(hasCell ? " with a cell" : "")}; create it with CreateState.");
    }

    /// <summary>Validates a composite state's part count.</summary>
    public static void CheckParts(RecurrentState state, int parts, string layer)
    {
        if (state.Parts.Count != parts)
            throw new ArgumentException($"{layer}: state must have {parts} parts; create it with CreateState.");
    }

    /// <summary>
    /// Copies <paramref name="lengths"/> (or T for every row when empty) into <paramref name="buffer"/>, validating
    /// each, and returns the shortest length: every row is active at steps below it.
    /// </summary>
    public static int StoreLengths(ReadOnlySpan<int> lengths, int steps, int batch, ref int[] buffer)
    {
        if (buffer.Length < batch) buffer = new int[batch];
        if (lengths.IsEmpty)
        {
            buffer.AsSpan(0, batch).Fill(steps);
            return steps;
        }
        if (lengths.Length != batch)
            throw new ArgumentException($"Got {lengths.Length} sequence lengths for a batch of {batch}.", nameof(lengths));
        int min = steps;
        for (int b = 0; b < batch; b++)
        {
            int length = lengths[b];
            if ((uint)length > (uint)steps)
                throw new ArgumentOutOfRangeException(nameof(lengths), $"Sequence length {length} of row {b} is outside [0, {steps}].");
            buffer[b] = length;
            min = Math.Min(min, length);
        }
        return min;
    }

    /// <summary>For rows inactive at <paramref name="step"/>, copies the previous state row over the new one.</summary>
    public static void CarryInactiveRows(int step, ReadOnlySpan<int> lengths, ReadOnlySpan<float> previous, Span<float> next, int width)
    {
        for (int b = 0; b < lengths.Length; b++)
            if (step >= lengths[b]) previous.Slice(b * width, width).CopyTo(next.Slice(b * width, width));
    }

    /// <summary>Zeroes the rows inactive at <paramref name="step"/>.</summary>
    public static void ClearInactiveRows(int step, ReadOnlySpan<int> lengths, Span<float> rows, int width)
    {
        for (int b = 0; b < lengths.Length; b++)
            if (step >= lengths[b]) rows.Slice(b * width, width).Clear();
    }

    /// <summary>sums += Σ_rows matrix[row, :] (the bias gradient of a layer applied to every row).</summary>
    public static void AddColumnSums(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> sums)
    {
        for (int r = 0; r < rows; r++)
            TensorPrimitives.Add(sums, matrix.Slice(r * columns, columns), sums);
    }

    /// <summary>Writes <paramref name="vector"/> into every row of <paramref name="matrix"/>.</summary>
    public static void BroadcastRows(ReadOnlySpan<float> vector, Span<float> matrix, int rows)
    {
        for (int r = 0; r < rows; r++) vector.CopyTo(matrix.Slice(r * vector.Length, vector.Length));
    }

    /// <summary>Copies <paramref name="source"/> into a [batch, width] state tensor.</summary>
    public static void WriteState(ReadOnlySpan<float> source, Tensor destination, int batch, int width)
    {
        destination.Resize(batch, width);
        source.Slice(0, batch * width).CopyTo(destination.Span);
    }

    /// <summary>Fills a uniform [−scale, scale] initialisation.</summary>
    public static void InitUniform(Tensor tensor, RandomGenerator random, float scale)
        => random.FillUniform(tensor.Span, -scale, scale);
}
