using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Recurrent.Embeddings;

/// <summary>What a training thread runs over each sentence: one objective, holding its random stream and scratch.</summary>
internal interface IEmbeddingWorker : IContextVisitor
{
    /// <summary>The thread's random stream (window spans, subsampling, noise words).</summary>
    ref FastRandom Random { get; }

    /// <summary>The learning rate for the next sentences.</summary>
    float LearningRate { set; }

    /// <summary>Called at the end of each pass over the thread's slice (NCE trains its last, partial batch).</summary>
    void EndOfPass();
}

/// <summary>
/// Holds a <see cref="FastRandom"/> on the heap so a worker struct can hand out a reference to it; the training loop
/// copies it to a local while it runs (see <see cref="EmbeddingTrainer"/>).
/// </summary>
internal sealed class RandomBox(ulong seed)
{
    public FastRandom Value = new(seed);
}

/// <summary>Skip-gram with negative sampling, as word2vec.c: for each (word, context word) pair the context word's input row predicts the word.</summary>
internal struct SkipGramWorker(float[] input, float[] output, int dimension, int negative, NoiseDistribution noise, RandomBox random) : IEmbeddingWorker
{
    private readonly int[] _targets = new int[negative + 1];
    private readonly nint[] _rows = new nint[negative + 1];
    private readonly float[] _g = new float[negative + 1];
    private float _alpha;

    public readonly ref FastRandom Random => ref random.Value;
    public float LearningRate { set => _alpha = value; }
    public readonly void EndOfPass() { }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Visit(int center, ReadOnlySpan<int> before, ReadOnlySpan<int> after)
    {
        for (int i = 0; i < before.Length; i++) Pair(center, before[i]);
        for (int i = 0; i < after.Length; i++) Pair(center, after[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void Pair(int center, int context)
    {
        int count = NoiseTargets(center, _targets, negative, noise, ref random.Value);
        ref float h = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(input), (nint)context * dimension);
        NegativeSampling.StepUnchecked(ref h, ref MemoryMarshal.GetArrayDataReference(output), dimension, _targets.AsSpan(0, count), _alpha,
            _rows, _g, inPlace: true, ref h);
    }

    /// <summary>targets[0] = the word to predict, then up to <paramref name="negative"/> noise words (word2vec skips a draw equal to the word).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int NoiseTargets(int word, int[] targets, int negative, NoiseDistribution noise, ref FastRandom random)
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

/// <summary>The weights NCE trains, shared by the threads, with their momentum accumulators.</summary>
internal sealed class NceWeights(int vocabulary, int dimension)
{
    public readonly float[] Embeddings = new float[vocabulary * dimension];
    public readonly float[] Weights = new float[vocabulary * dimension];
    public readonly float[] Biases = new float[vocabulary];
    public readonly float[] EmbeddingAccumulator = new float[vocabulary * dimension];
    public readonly float[] WeightAccumulator = new float[vocabulary * dimension];
    public readonly float[] BiasAccumulator = new float[vocabulary];
}

/// <summary>
/// TensorFlow for Machine Intelligence's skip-gram with NCE: (word, context word) pairs, in the order the book's
/// <c>skipgrams</c> generator yields them, are batched; each full batch is one momentum step (<see cref="NceBatch"/>).
/// </summary>
internal struct NceWorker(NceWeights weights, NceBatch batch, LogUniformSampler sampler, float momentum, RandomBox random, Action<double> reportLoss) : IEmbeddingWorker
{
    private float _alpha;

    public readonly ref FastRandom Random => ref random.Value;
    public float LearningRate { set => _alpha = value; }

    public readonly void Visit(int center, ReadOnlySpan<int> before, ReadOnlySpan<int> after)
    {
        for (int i = 0; i < before.Length; i++) Add(center, before[i]);
        for (int i = 0; i < after.Length; i++) Add(center, after[i]);
    }

    public readonly void EndOfPass()
    {
        if (batch.Count > 0) Step();
    }

    private readonly void Add(int center, int context)
    {
        batch.Inputs[batch.Count] = center;
        batch.Labels[batch.Count] = context;
        batch.Count++;
        if (batch.IsFull) Step();
    }

    private readonly void Step()
    {
        batch.DrawNoise(sampler, ref random.Value);
        double loss = batch.ComputeGradients(weights.Embeddings, weights.Weights, weights.Biases);
        batch.ApplyMomentum(weights.Embeddings, weights.Weights, weights.Biases,
            weights.EmbeddingAccumulator, weights.WeightAccumulator, weights.BiasAccumulator, _alpha, momentum);
        batch.Count = 0;
        reportLoss(loss);
    }
}
