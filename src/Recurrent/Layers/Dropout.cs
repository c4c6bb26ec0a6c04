using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>
/// Inverted dropout: while training, y = x⊙m with m = 1/keep (probability keep) or 0, so E[y] = x;
/// at evaluation (<see cref="Training"/> false) or with keep = 1 it is the identity.
/// </summary>
/// <remarks>
/// Standard dropout draws a new mask element for every element of the input (every time step included).
/// Variational dropout (Gal &amp; Ghahramani) draws one [batch, features] mask per forward pass and applies it at
/// every time step of a [time, batch, features] input. Masks come from <see cref="RandomGenerator.FillBernoulliMask"/>,
/// so a generator restored with <see cref="RandomGenerator.SetState"/> reproduces them.
/// Under <see cref="DrawForRows"/> (data-parallel training, where each process computes some rows of a batch) a mask
/// is drawn for the whole batch and this input's rows are cut from it, so the processes together apply exactly the
/// masks one process would.
/// </remarks>
internal sealed class Dropout
{
    [ThreadStatic] private static int t_firstRow, t_totalRows; // t_totalRows 0: no window

    private readonly RandomGenerator _random;
    private readonly Tensor _mask = new(0);
    private readonly Tensor _wholeMask = new(0);
    private bool _lastApplied;

    public Dropout(float keepProbability, RandomGenerator random, bool variational = false)
    {
        if (keepProbability <= 0f || keepProbability > 1f)
            throw new ArgumentOutOfRangeException(nameof(keepProbability), $"Keep probability must be in (0, 1], got {keepProbability}.");
        KeepProbability = keepProbability;
        Variational = variational;
        _random = random;
    }

    public float KeepProbability { get; }

    /// <summary>One mask shared by all time steps instead of one per element.</summary>
    public bool Variational { get; }

    /// <summary>False turns the layer into the identity (evaluation).</summary>
    public bool Training { get; set; } = true;

    /// <summary>The mask of the last training forward pass: the input's shape, or [batch, features] when variational.</summary>
    public Tensor Mask => _mask;

    /// <summary>
    /// Until the returned scope is disposed, the masks drawn on this thread are those of a batch of
    /// <paramref name="totalRows"/> rows, of which each input holds rows <paramref name="firstRow"/> onwards (the batch
    /// is the second-to-last dimension: [time, batch, features] or [batch, features]). The generator advances as
    /// for the whole batch, so every process computing a part of it stays in step with the others.
    /// </summary>
    public static RowScope DrawForRows(int firstRow, int totalRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalRows, 1);
        var scope = new RowScope(t_firstRow, t_totalRows);
        t_firstRow = firstRow;
        t_totalRows = totalRows;
        return scope;
    }

    /// <summary>Restores the previous rows of <see cref="DrawForRows"/> when disposed.</summary>
    public readonly struct RowScope : IDisposable
    {
        private readonly int _first, _total;

        internal RowScope(int first, int total) => (_first, _total) = (first, total);

        public void Dispose() => (t_firstRow, t_totalRows) = (_first, _total);
    }

    /// <summary>output = input⊙mask with a freshly drawn mask; <paramref name="output"/> is resized and may be <paramref name="input"/>.</summary>
    public void Forward(Tensor input, Tensor output)
    {
        _lastApplied = Training && KeepProbability < 1f;
        if (!ReferenceEquals(input, output)) output.CopyFrom(input);
        if (!_lastApplied) return;
        if (Variational)
        {
            if (input.Rank != 3) throw new ArgumentException($"Variational dropout needs [time, batch, features], got {input}.", nameof(input));
            int steps = input.Dim(0), rowLength = input.Dim(1) * input.Dim(2);
            _mask.Resize(input.Dim(1), input.Dim(2));
            FillMask(1);
            for (int t = 0; t < steps; t++)
            {
                Span<float> step = output.Span.Slice(t * rowLength, rowLength);
                TensorPrimitives.Multiply(step, _mask.Span, step);
            }
        }
        else
        {
            ResizeLike(_mask, input);
            FillMask(input.Rank == 3 ? input.Dim(0) : 1);
            TensorPrimitives.Multiply(output.Span, _mask.Span, output.Span);
        }
    }

    /// <summary>
    /// Draws <see cref="_mask"/>: <paramref name="blocks"/> blocks of [batch, features] (time steps, or 1). Outside
    /// <see cref="DrawForRows"/>, or when the input is the whole batch, straight from the generator; otherwise the whole
    /// batch's mask is drawn in the same order and this input's rows are copied out of each block.
    /// </summary>
    private void FillMask(int blocks)
    {
        int rows = _mask.Rank >= 2 ? _mask.Dim(-2) : _mask.Length;
        if (t_totalRows == 0 || t_totalRows == rows)
        {
            _random.FillBernoulliMask(_mask.Span, KeepProbability);
            return;
        }
        if (_mask.Rank < 2 || _mask.Length != blocks * rows * _mask.Dim(-1) || t_firstRow + rows > t_totalRows)
            throw new InvalidOperationException($"Cannot cut rows {t_firstRow}..{t_firstRow + rows} of a {t_totalRows}-row batch from a mask of {_mask}.");
        int features = _mask.Dim(-1);
        int part = rows * features, whole = t_totalRows * features;
        _wholeMask.Resize(blocks * whole);
        _random.FillBernoulliMask(_wholeMask.Span, KeepProbability);
        ReadOnlySpan<float> from = _wholeMask.Span;
        Span<float> to = _mask.Span;
        for (int b = 0; b < blocks; b++)
            from.Slice(b * whole + t_firstRow * features, part).CopyTo(to.Slice(b * part, part));
    }

    private static void ResizeLike(Tensor tensor, Tensor like)
    {
        switch (like.Rank)
        {
            case 1: tensor.Resize(like.Dim(0)); break;
            case 2: tensor.Resize(like.Dim(0), like.Dim(1)); break;
            case 3: tensor.Resize(like.Dim(0), like.Dim(1), like.Dim(2)); break;
            case 4: tensor.Resize(like.Dim(0), like.Dim(1), like.Dim(2), like.Dim(3)); break;
            default: tensor.Resize(like.Length); break;
        }
    }

    /// <summary>inputGradient = outputGradient⊙mask (the mask of the last forward pass); may be the same tensor.</summary>
    public void Backward(Tensor outputGradient, Tensor inputGradient)
    {
        if (!ReferenceEquals(outputGradient, inputGradient)) inputGradient.CopyFrom(outputGradient);
        if (!_lastApplied) return;
        if (Variational)
        {
            int rowLength = _mask.Length;
            if (outputGradient.Length % Math.Max(rowLength, 1) != 0) throw new ArgumentException("Gradient shape differs from the forward input.", nameof(outputGradient));
            for (int offset = 0; offset < inputGradient.Length; offset += rowLength)
            {
                Span<float> step = inputGradient.Span.Slice(offset, rowLength);
                TensorPrimitives.Multiply(step, _mask.Span, step);
            }
        }
        else
        {
            if (outputGradient.Length != _mask.Length) throw new ArgumentException("Gradient shape differs from the forward input.", nameof(outputGradient));
            TensorPrimitives.Multiply(inputGradient.Span, _mask.Span, inputGradient.Span);
        }
    }
}
