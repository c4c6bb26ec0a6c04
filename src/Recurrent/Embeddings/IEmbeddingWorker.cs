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
