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
