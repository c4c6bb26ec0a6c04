using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>
/// Pooling over the real steps of padded, time-major sequences [T, B, F] into one vector per sequence [B, F]:
/// the mean or the element-wise maximum over steps t &lt; lengths[b]. Padding never contributes, so a sequence
/// gives the same result whatever batch it is padded into.
/// </summary>
internal static class SequencePooling
{
    /// <summary><c>result[b] = (1 / L_b) · Σ_{t &lt; L_b} sequences[t, b]</c>, L_b = lengths[b] (T when empty); zeros when L_b = 0.</summary>
    public static void Mean(Tensor sequences, ReadOnlySpan<int> lengths, Tensor result)
    {
        int steps = sequences.Dim(0), batch = sequences.Dim(1), features = sequences.Dim(2);
        result.Resize(batch, features).Clear();
        ReadOnlySpan<float> x = sequences.Span;
        Span<float> y = result.Span;
        for (int b = 0; b < batch; b++)
        {
            int length = LengthOf(lengths, b, steps);
            if (length == 0) continue;
            Span<float> row = y.Slice(b * features, features);
            for (int t = 0; t < length; t++)
                System.Numerics.Tensors.TensorPrimitives.Add(row, x.Slice((t * batch + b) * features, features), row);
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, 1f / length, row);
        }
    }

    /// <summary>Backward of <see cref="Mean"/>: <c>dSequences[t, b] = dResult[b] / L_b</c> for t &lt; L_b, zero elsewhere.</summary>
    public static void MeanBackward(Tensor resultGradient, ReadOnlySpan<int> lengths, int steps, Tensor sequenceGradient)
    {
        int batch = resultGradient.Dim(0), features = resultGradient.Dim(1);
        sequenceGradient.Resize(steps, batch, features).Clear();
        ReadOnlySpan<float> dy = resultGradient.Span;
        Span<float> dx = sequenceGradient.Span;
        for (int b = 0; b < batch; b++)
        {
            int length = LengthOf(lengths, b, steps);
            if (length == 0) continue;
            ReadOnlySpan<float> g = dy.Slice(b * features, features);
            for (int t = 0; t < length; t++)
                System.Numerics.Tensors.TensorPrimitives.Multiply(g, 1f / length, dx.Slice((t * batch + b) * features, features));
        }
    }

    /// <summary>
    /// <c>result[b, f] = max_{t &lt; L_b} sequences[t, b, f]</c> (zeros when L_b = 0); <paramref name="argmax"/>
    /// receives the step of each maximum (the first on ties) for the backward pass, −1 for empty sequences.
    /// </summary>
    public static void Max(Tensor sequences, ReadOnlySpan<int> lengths, Tensor result, Span<int> argmax)
    {
        int steps = sequences.Dim(0), batch = sequences.Dim(1), features = sequences.Dim(2);
        if (argmax.Length < batch * features) throw new ArgumentException($"argmax needs {batch * features} slots, got {argmax.Length}.", nameof(argmax));
        result.Resize(batch, features);
        ReadOnlySpan<float> x = sequences.Span;
        Span<float> y = result.Span;
        for (int b = 0; b < batch; b++)
        {
            int length = LengthOf(lengths, b, steps);
            Span<float> row = y.Slice(b * features, features);
            Span<int> at = argmax.Slice(b * features, features);
            if (length == 0)
            {
                row.Clear();
                at.Fill(-1);
                continue;
            }
            x.Slice(b * features, features).CopyTo(row);
            at.Clear();
            for (int t = 1; t < length; t++)
            {
                ReadOnlySpan<float> step = x.Slice((t * batch + b) * features, features);
                for (int f = 0; f < features; f++)
                    if (step[f] > row[f]) { row[f] = step[f]; at[f] = t; }
            }
        }
    }

    /// <summary>Backward of <see cref="Max"/>: each <c>dResult[b, f]</c> goes to the step that held the maximum.</summary>
    public static void MaxBackward(Tensor resultGradient, ReadOnlySpan<int> argmax, int steps, Tensor sequenceGradient)
    {
        int batch = resultGradient.Dim(0), features = resultGradient.Dim(1);
        sequenceGradient.Resize(steps, batch, features).Clear();
        ReadOnlySpan<float> dy = resultGradient.Span;
        Span<float> dx = sequenceGradient.Span;
        for (int b = 0; b < batch; b++)
        for (int f = 0; f < features; f++)
        {
            int t = argmax[b * features + f];
            if (t >= 0) dx[(t * batch + b) * features + f] = dy[b * features + f];
        }
    }

    /// <summary>
    /// For a bidirectional layer's output [T, B, 2H] (forward half, then backward half aligned with the input):
    /// <c>result[b] = [forward[L_b − 1, b], backward[0, b]]</c>, each direction's output after reading the whole sequence.
    /// </summary>
    public static void BidirectionalLast(Tensor sequences, ReadOnlySpan<int> lengths, int forwardSize, Tensor result)
    {
        int steps = sequences.Dim(0), batch = sequences.Dim(1), features = sequences.Dim(2);
        int backwardSize = features - forwardSize;
        result.Resize(batch, features);
        ReadOnlySpan<float> x = sequences.Span;
        Span<float> y = result.Span;
        for (int b = 0; b < batch; b++)
        {
            int length = LengthOf(lengths, b, steps);
            Span<float> row = y.Slice(b * features, features);
            if (length == 0) { row.Clear(); continue; }
            x.Slice(((length - 1) * batch + b) * features, forwardSize).CopyTo(row[..forwardSize]);
            x.Slice(b * features + forwardSize, backwardSize).CopyTo(row[forwardSize..]);
        }
    }

    /// <summary>Backward of <see cref="BidirectionalLast"/>.</summary>
    public static void BidirectionalLastBackward(Tensor resultGradient, ReadOnlySpan<int> lengths, int forwardSize, int steps, Tensor sequenceGradient)
    {
        int batch = resultGradient.Dim(0), features = resultGradient.Dim(1);
        int backwardSize = features - forwardSize;
        sequenceGradient.Resize(steps, batch, features).Clear();
        ReadOnlySpan<float> dy = resultGradient.Span;
        Span<float> dx = sequenceGradient.Span;
        for (int b = 0; b < batch; b++)
        {
            int length = LengthOf(lengths, b, steps);
            if (length == 0) continue;
            dy.Slice(b * features, forwardSize).CopyTo(dx.Slice(((length - 1) * batch + b) * features, forwardSize));
            dy.Slice(b * features + forwardSize, backwardSize).CopyTo(dx.Slice(b * features + forwardSize, backwardSize));
        }
    }

    private static int LengthOf(ReadOnlySpan<int> lengths, int b, int steps)
    {
        if (lengths.IsEmpty) return steps;
        int length = lengths[b];
        if ((uint)length > (uint)steps) throw new ArgumentOutOfRangeException(nameof(lengths), $"Sequence length {length} is outside [0, {steps}].");
        return length;
    }
}
