namespace Recurrent.Embeddings;

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
