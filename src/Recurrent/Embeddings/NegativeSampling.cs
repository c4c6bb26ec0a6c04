using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Recurrent.Embeddings;

/// <summary>
/// Negative sampling (Mikolov et al. 2013) for one example: an input vector <c>h</c> (a context word's row of the
/// input matrix for skip-gram, the mean of the context rows for CBOW), the output row <c>o₀</c> of the word to
/// predict and the output rows <c>o₁ … o_k</c> of k noise words.
/// </summary>
/// <remarks>
/// <para>Loss, with <c>s_j = h·o_j</c>: <c>L = −log σ(s₀) − Σ_{j=1..k} log σ(−s_j)</c>.</para>
/// <para>Gradient, with labels <c>l₀ = 1</c>, <c>l_j = 0</c>: <c>∂L/∂s_j = σ(s_j) − l_j</c>, so
/// <c>∂L/∂o_j = (σ(s_j) − l_j)·h</c> and <c>∂L/∂h = Σ_j (σ(s_j) − l_j)·o_j</c>.</para>
/// <para>The step (<see cref="StepUnchecked"/>) is word2vec's: with <c>g_j = α·(l_j − σ(s_j))</c>, <c>o_j += g_j·h</c> and
/// <c>h += Σ_j g_j·o_j</c>, i.e. plain SGD of rate α. Unlike word2vec.c it evaluates all k+1 scores before moving any
/// row and merges a noise word drawn twice into one row with summed <c>g</c>, so a step is exactly
/// <c>θ −= α·∇L(θ)</c>; and it uses the exact logistic function instead of word2vec's 1,000-entry table clipped at
/// ±6. Rows are given as ids into a row-major output matrix of <c>dimension</c> columns.</para>
/// </remarks>
internal static class NegativeSampling
{
    /// <summary><c>L</c> for input <paramref name="input"/> and output rows <paramref name="targets"/> (the word to predict first), in double.</summary>
    public static double Loss(ReadOnlySpan<float> input, ReadOnlySpan<float> output, int dimension, ReadOnlySpan<int> targets)
    {
        double loss = 0;
        for (int j = 0; j < targets.Length; j++)
        {
            double s = DotDouble(input, output.Slice(targets[j] * dimension, dimension));
            loss += j == 0 ? Softplus(-s) : Softplus(s); // −log σ(s) = softplus(−s); −log σ(−s) = softplus(s)
        }
        return loss;
    }

    /// <summary>Adds <c>∂L/∂h</c> to <paramref name="inputGradient"/> and <c>∂L/∂O</c> to <paramref name="outputGradient"/> (shaped as the output matrix), in double.</summary>
    public static void Gradient(ReadOnlySpan<float> input, ReadOnlySpan<float> output, int dimension, ReadOnlySpan<int> targets,
        Span<double> inputGradient, Span<double> outputGradient)
    {
        for (int j = 0; j < targets.Length; j++)
        {
            ReadOnlySpan<float> o = output.Slice(targets[j] * dimension, dimension);
            double s = DotDouble(input, o);
            double d = 1 / (1 + Math.Exp(-s)) - (j == 0 ? 1 : 0);
            Span<double> go = outputGradient.Slice(targets[j] * dimension, dimension);
            for (int c = 0; c < dimension; c++)
            {
                inputGradient[c] += d * o[c];
                go[c] += d * input[c];
            }
        }
    }

    /// <summary>
    /// One SGD step of rate <paramref name="alpha"/> on the example: the output rows move by <c>−α·∂L/∂o_j</c>, and
    /// <c>−α·∂L/∂h</c> is added to <paramref name="input"/> (skip-gram: <paramref name="inputUpdate"/> is the input row
    /// itself) or written to <paramref name="inputUpdate"/> (CBOW, which then adds it to every context row).
    /// </summary>
    /// <param name="input">h; for skip-gram a row of the input matrix, which must not be a row of <paramref name="output"/>.</param>
    /// <param name="targets">The word to predict, then the noise words (repeats allowed).</param>
    /// <param name="rows">Scratch of at least <c>targets.Length</c>.</param>
    /// <param name="g">Scratch of at least <c>targets.Length</c>.</param>
    /// <param name="inPlace">Add the update to <paramref name="input"/> rather than write it to <paramref name="inputUpdate"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StepUnchecked(ref float input, ref float output, int dimension, ReadOnlySpan<int> targets, float alpha,
        Span<nint> rows, Span<float> g, bool inPlace, ref float inputUpdate)
    {
        int unique = 0;
        for (int j = 0; j < targets.Length; j++)
        {
            nint row = (nint)targets[j] * dimension;
            float s = EmbeddingKernels.Dot(ref input, ref Unsafe.Add(ref output, row), dimension);
            float gj = alpha * ((j == 0 ? 1f : 0f) - EmbeddingKernels.Sigmoid(s));
            int k = 0;
            while (k < unique && rows[k] != row) k++;
            if (k < unique) g[k] += gj; // the same row again: one update with the summed coefficient
            else
            {
                rows[unique] = row;
                g[unique] = gj;
                unique++;
            }
        }
        EmbeddingKernels.Update(ref input, ref output, rows[..unique], g[..unique], dimension, ref inPlace ? ref input : ref inputUpdate, accumulate: inPlace);
    }

    /// <summary><see cref="StepUnchecked"/> on checked spans, for tests: updates <paramref name="input"/> in place and <paramref name="output"/>.</summary>
    internal static void Step(Span<float> input, Span<float> output, int dimension, ReadOnlySpan<int> targets, float alpha)
    {
        if (input.Length != dimension) throw new ArgumentException("The input must have the dimension's length.", nameof(input));
        foreach (int t in targets)
            if ((uint)t >= (uint)(output.Length / dimension)) throw new ArgumentOutOfRangeException(nameof(targets), t, "Not a row of the output matrix.");
        Span<nint> rows = stackalloc nint[targets.Length];
        Span<float> g = stackalloc float[targets.Length];
        ref float h = ref MemoryMarshal.GetReference(input);
        StepUnchecked(ref h, ref MemoryMarshal.GetReference(output), dimension, targets, alpha, rows, g, inPlace: true, ref h);
    }

    private static double DotDouble(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    /// <summary><c>log(1 + e^x)</c> without overflow.</summary>
    internal static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));
}
