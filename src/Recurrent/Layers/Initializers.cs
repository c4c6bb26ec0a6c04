using Recurrent.Tensors;

namespace Recurrent.Layers;

/// <summary>
/// Weight initialisers. Every one draws from a <see cref="RandomGenerator"/>, so the same seed gives the
/// same weights on every machine.
/// </summary>
internal static class Initializers
{
    /// <summary>Uniform in [−<paramref name="scale"/>, <paramref name="scale"/>) — TensorFlow PTB's <c>init_scale</c> (0.1 small, 0.05 medium, 0.04 large).</summary>
    public static void Uniform(Span<float> values, float scale, RandomGenerator random)
    {
        if (!(scale >= 0)) throw new ArgumentOutOfRangeException(nameof(scale), "The scale must be non-negative.");
        random.FillUniform(values, -scale, scale);
    }

    /// <inheritdoc cref="Uniform(Span{float}, float, RandomGenerator)"/>
    public static void Uniform(Tensor tensor, float scale, RandomGenerator random) => Uniform(tensor.Span, scale, random);

    /// <summary>The Glorot/Xavier uniform bound <c>sqrt(6 / (fanIn + fanOut))</c>.</summary>
    public static float GlorotBound(int fanIn, int fanOut)
    {
        if (fanIn <= 0 || fanOut <= 0) throw new ArgumentOutOfRangeException(nameof(fanIn), "Fans must be positive.");
        return (float)Math.Sqrt(6.0 / (fanIn + fanOut));
    }

    /// <summary>Glorot/Xavier uniform: uniform in ±<c>sqrt(6 / (fanIn + fanOut))</c>, which keeps activation and gradient variance roughly constant across layers.</summary>
    public static void GlorotUniform(Span<float> values, int fanIn, int fanOut, RandomGenerator random)
        => Uniform(values, GlorotBound(fanIn, fanOut), random);

    /// <summary>Glorot uniform for a rank-2 weight [fanIn, fanOut] (the <see cref="Linear"/> layout).</summary>
    public static void GlorotUniform(Tensor weight, RandomGenerator random)
    {
        if (weight.Rank != 2) throw new ArgumentException($"Glorot initialisation needs a matrix, not {weight}.", nameof(weight));
        GlorotUniform(weight.Span, weight.Dim(0), weight.Dim(1), random);
    }

    /// <summary>
    /// A (semi-)orthogonal [rows, columns] matrix times <paramref name="gain"/>: orthonormal columns
    /// (WᵀW = I) when rows ≥ columns, orthonormal rows (WWᵀ = I) otherwise.
    /// </summary>
    /// <remarks>
    /// As in TensorFlow's orthogonal initializer (Saxe et al. 2014): draw a standard normal matrix and
    /// orthonormalise it. We use modified Gram–Schmidt in double, applied twice ("twice is enough",
    /// Giraud et al.), which equals QR with R's diagonal made positive, so Q is Haar-distributed.
    /// </remarks>
    public static void Orthogonal(Span<float> matrix, int rows, int columns, RandomGenerator random, float gain = 1f)
    {
        if (rows <= 0 || columns <= 0 || (long)rows * columns != matrix.Length)
            throw new ArgumentException($"Span of length {matrix.Length} is not a [{rows}, {columns}] matrix.", nameof(matrix));
        int n = Math.Max(rows, columns), k = Math.Min(rows, columns);
        // q holds k vectors of length n, vector j at [j*n, (j+1)*n).
        var q = new double[n * k];
        for (int i = 0; i < q.Length; i++) q[i] = random.NextNormal();
        for (int j = 0; j < k; j++)
        {
            Span<double> v = q.AsSpan(j * n, n);
            for (int pass = 0; pass < 2; pass++)
            {
                for (int p = 0; p < j; p++)
                {
                    ReadOnlySpan<double> u = q.AsSpan(p * n, n);
                    double dot = 0;
                    for (int t = 0; t < n; t++) dot += u[t] * v[t];
                    for (int t = 0; t < n; t++) v[t] -= dot * u[t];
                }
            }
            double norm = 0;
            for (int t = 0; t < n; t++) norm += v[t] * v[t];
            norm = Math.Sqrt(norm);
            for (int t = 0; t < n; t++) v[t] /= norm;
        }
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                matrix[r * columns + c] = (float)(gain * (rows >= columns ? q[c * n + r] : q[r * n + c]));
    }

    /// <summary>Orthogonal initialisation of a rank-2 tensor; see <see cref="Orthogonal(Span{float}, int, int, RandomGenerator, float)"/>.</summary>
    public static void Orthogonal(Tensor weight, RandomGenerator random, float gain = 1f)
    {
        if (weight.Rank != 2) throw new ArgumentException($"Orthogonal initialisation needs a matrix, not {weight}.", nameof(weight));
        Orthogonal(weight.Span, weight.Dim(0), weight.Dim(1), random, gain);
    }

    /// <summary>
    /// For a recurrent weight [H, k·H] (the k gate blocks side by side, e.g. LSTM's [H, 4H]), makes each
    /// H×H column block <c>W[:, g·H .. (g+1)·H]</c> an independent orthogonal matrix times <paramref name="gain"/>.
    /// </summary>
    public static void OrthogonalBlocks(Tensor weight, RandomGenerator random, float gain = 1f)
    {
        if (weight.Rank != 2 || weight.Dim(1) % weight.Dim(0) != 0)
            throw new ArgumentException($"Block-orthogonal initialisation needs a [H, k·H] matrix, not {weight}.", nameof(weight));
        int h = weight.Dim(0), cols = weight.Dim(1);
        var block = new float[h * h];
        Span<float> w = weight.Span;
        for (int g = 0; g < cols / h; g++)
        {
            Orthogonal(block, h, h, random, gain);
            for (int r = 0; r < h; r++)
                block.AsSpan(r * h, h).CopyTo(w.Slice(r * cols + g * h, h));
        }
    }
}
