using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Recurrent.Embeddings;

/// <summary>CBOW with negative sampling, as word2vec.c: the mean of the context rows predicts the word, and every context row receives the whole input update.</summary>
internal struct CbowWorker(float[] input, float[] output, int dimension, int negative, NoiseDistribution noise, RandomBox random) : IEmbeddingWorker
{
    private readonly int[] _targets = new int[negative + 1];
    private readonly nint[] _rows = new nint[negative + 1];
    private readonly float[] _g = new float[negative + 1];
    private readonly float[] _mean = new float[dimension];
    private readonly float[] _update = new float[dimension];
    private float _alpha;

    public readonly ref FastRandom Random => ref random.Value;
    public float LearningRate { set => _alpha = value; }
    public readonly void EndOfPass() { }

    public readonly void Visit(int center, ReadOnlySpan<int> before, ReadOnlySpan<int> after)
    {
        int contexts = before.Length + after.Length;
        if (contexts == 0) return;
        ref float rows = ref MemoryMarshal.GetArrayDataReference(input);
        ref float mean = ref MemoryMarshal.GetArrayDataReference(_mean);
        Array.Clear(_mean);
        for (int i = 0; i < before.Length; i++) EmbeddingKernels.Axpy(1f, ref Unsafe.Add(ref rows, (nint)before[i] * dimension), ref mean, dimension);
        for (int i = 0; i < after.Length; i++) EmbeddingKernels.Axpy(1f, ref Unsafe.Add(ref rows, (nint)after[i] * dimension), ref mean, dimension);
        float scale = 1f / contexts;
        for (int c = 0; c < dimension; c++) _mean[c] *= scale;

        int count = SkipGramWorker.NoiseTargets(center, _targets, negative, noise, ref random.Value);
        ref float update = ref MemoryMarshal.GetArrayDataReference(_update);
        NegativeSampling.StepUnchecked(ref mean, ref MemoryMarshal.GetArrayDataReference(output), dimension, _targets.AsSpan(0, count), _alpha,
            _rows, _g, inPlace: false, ref update);
        for (int i = 0; i < before.Length; i++) EmbeddingKernels.Axpy(1f, ref update, ref Unsafe.Add(ref rows, (nint)before[i] * dimension), dimension);
        for (int i = 0; i < after.Length; i++) EmbeddingKernels.Axpy(1f, ref update, ref Unsafe.Add(ref rows, (nint)after[i] * dimension), dimension);
    }
}
