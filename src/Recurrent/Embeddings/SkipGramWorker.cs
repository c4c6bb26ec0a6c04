using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Recurrent.Embeddings;

/// <summary>Skip-gram with negative sampling, as word2vec.c: for each (word, context word) pair the context word's input row predicts the word.</summary>
/// <remarks>
/// The rows a pair touches are scattered over two matrices too large for the caches, so a pair mostly waits for
/// memory. The noise words of all the pairs of a word are therefore drawn first, and while one pair is computed the
/// rows of the next are prefetched (<see cref="EmbeddingKernels.Prefetch"/>).
/// </remarks>
internal struct SkipGramWorker(float[] input, float[] output, int dimension, int window, int negative, NoiseDistribution noise, RandomBox random) : IEmbeddingWorker
{
    private readonly int[] _targets = new int[2 * window * (negative + 1)];
    private readonly int[] _counts = new int[2 * window];
    private readonly nint[] _rows = new nint[negative + 1];
    private readonly float[] _g = new float[negative + 1];
    private float _alpha;

    public readonly ref FastRandom Random => ref random.Value;
    public float LearningRate { set => _alpha = value; }
    public readonly void EndOfPass() { }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Visit(int center, ReadOnlySpan<int> before, ReadOnlySpan<int> after)
    {
        int pairs = before.Length + after.Length, stride = negative + 1;
        for (int p = 0; p < pairs; p++)
            _counts[p] = NoiseTargets(center, _targets.AsSpan(p * stride, stride), negative, noise, ref random.Value);
        ref float inputs = ref MemoryMarshal.GetArrayDataReference(input);
        ref float outputs = ref MemoryMarshal.GetArrayDataReference(output);
        if (pairs == 0) return;
        Prefetch(0, before, after);
        // The next word of the sentence is the first word after this one: it is the word to predict next.
        if (after.Length > 0) EmbeddingKernels.Prefetch(ref Unsafe.Add(ref outputs, (nint)after[0] * dimension), dimension);
        for (int p = 0; p < pairs; p++)
        {
            if (p + 1 < pairs) Prefetch(p + 1, before, after);
            int context = p < before.Length ? before[p] : after[p - before.Length];
            ref float h = ref Unsafe.Add(ref inputs, (nint)context * dimension);
            NegativeSampling.StepUnchecked(ref h, ref outputs, dimension, _targets.AsSpan(p * stride, _counts[p]), _alpha, _rows, _g, inPlace: true, ref h);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void Prefetch(int pair, ReadOnlySpan<int> before, ReadOnlySpan<int> after)
    {
        int context = pair < before.Length ? before[pair] : after[pair - before.Length];
        EmbeddingKernels.Prefetch(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input), (nint)context * dimension), dimension);
        ref float outputs = ref MemoryMarshal.GetArrayDataReference(output);
        int start = pair * (negative + 1);
        for (int j = 1; j < _counts[pair]; j++) // the word's own row (j = 0) is the same for all its pairs
            EmbeddingKernels.Prefetch(ref Unsafe.Add(ref outputs, (nint)_targets[start + j] * dimension), dimension);
    }

    /// <summary>targets[0] = the word to predict, then up to <paramref name="negative"/> noise words (word2vec skips a draw equal to the word).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int NoiseTargets(int word, Span<int> targets, int negative, NoiseDistribution noise, ref FastRandom random)
    {
        targets[0] = word;
        int count = 1;
        for (int d = 0; d < negative; d++)
        {
            int t = noise.Sample(random.Next());
            if (t != word) targets[count++] = t;
        }
        return count;
    }
}
