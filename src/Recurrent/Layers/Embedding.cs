using Recurrent.Kernels;
using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>
/// Word embedding: a lookup table <c>W</c> of shape [vocabularySize, dimension];
/// <c>output[i, :] = W[ids[i], :]</c>.
/// </summary>
/// <remarks>
/// The gradient is sparse: <see cref="Backward"/> adds into the rows of <c>Weight.Gradient</c> at the
/// looked-up ids only and records each distinct touched row once in <c>Weight.SparseRows</c>.
/// The list is created here (empty, meaning "gradient zero everywhere") and must be emptied together with
/// the gradient rows it lists; <see cref="Optimizers.ParameterGradients.Zero(Parameter)"/> does both.
/// Membership is tested with a sparse-set index (<c>_slot[row]</c> points into the list), so it needs
/// no clearing of its own and stays right however and whenever the list is emptied.
/// </remarks>
internal sealed class Embedding : IHasParameters
{
    private readonly int[] _slot;

    /// <summary>Creates a zero-initialised table; fill <see cref="Weight"/> with an <see cref="Initializers"/> method.</summary>
    public Embedding(int vocabularySize, int dimension, string name = "embedding")
    {
        if (vocabularySize <= 0) throw new ArgumentOutOfRangeException(nameof(vocabularySize), "The vocabulary must not be empty.");
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), "The embedding dimension must be positive.");
        VocabularySize = vocabularySize;
        Dimension = dimension;
        // Room for every row up front, so that a batch with more distinct ids than any before does not grow the list.
        Weight = new Parameter(name + ".weight", new Tensor(vocabularySize, dimension)) { SparseRows = new List<int>(vocabularySize) };
        _slot = new int[vocabularySize];
        Parameters = [Weight];
    }

    public int VocabularySize { get; }
    public int Dimension { get; }

    /// <summary>The table [vocabularySize, dimension], saved as <c>{name}.weight</c>.</summary>
    public Parameter Weight { get; }

    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>
    /// <c>output[i, :] = W[ids[i], :]</c> for i in [0, n), n = ids.Length. <paramref name="output"/> keeps its shape
    /// when it already holds n·dimension elements (so a [time, batch, dimension] tensor stays rank 3);
    /// otherwise it is resized to [n, dimension].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside [0, vocabularySize).</exception>
    public void Forward(ReadOnlySpan<int> ids, Tensor output)
    {
        ValidateIds(ids);
        int d = Dimension;
        if (output.Length != ids.Length * d) output.Resize(ids.Length, d);
        ReadOnlySpan<float> table = Weight.Value.Span;
        Span<float> y = output.Span;
        for (int i = 0; i < ids.Length; i++)
            table.Slice(ids[i] * d, d).CopyTo(y.Slice(i * d, d));
    }

    /// <summary>
    /// <c>dW[ids[i], :] += outputGradient[i, :]</c>, accumulating over repeated ids; lists each touched row once in
    /// <c>Weight.SparseRows</c>. Ids have no gradient, so there is nothing to overwrite.
    /// </summary>
    public void Backward(ReadOnlySpan<int> ids, Tensor outputGradient)
    {
        ValidateIds(ids);
        int d = Dimension;
        if (outputGradient.Length != ids.Length * d)
            throw new ArgumentException($"Output gradient {outputGradient} does not hold {ids.Length}×{d} elements.", nameof(outputGradient));
        Span<float> grad = Weight.Gradient.Span;
        ReadOnlySpan<float> dy = outputGradient.Span;
        List<int>? rows = Weight.SparseRows;
        for (int i = 0; i < ids.Length; i++)
        {
            int row = ids[i];
            MathKernels.Axpy(1f, dy.Slice(i * d, d), grad.Slice(row * d, d));
            // A null list means someone declared the gradient dense; then there is nothing to record.
            if (rows is not null)
            {
                int s = _slot[row];
                if (s >= rows.Count || rows[s] != row)
                {
                    _slot[row] = rows.Count;
                    rows.Add(row);
                }
            }
        }
    }

    private void ValidateIds(ReadOnlySpan<int> ids)
    {
        for (int i = 0; i < ids.Length; i++)
            if ((uint)ids[i] >= (uint)VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(ids), $"Token id {ids[i]} at position {i} is outside the vocabulary [0, {VocabularySize}).");
    }
}
