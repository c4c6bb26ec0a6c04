namespace Recurrent.Embeddings;

/// <summary>Where a training run stands, as reported while it runs.</summary>
/// <param name="WordsDone">Vocabulary words read so far, kept or subsampled away: what the learning rate decays over.</param>
/// <param name="WordsTotal">Epochs × <see cref="EmbeddingVocabulary.TrainWords"/>.</param>
/// <param name="TokensRead">Every word read, left-out ones included (the peers' count for words per second).</param>
/// <param name="Loss">NCE: the last batch's loss; null for negative sampling, which does not compute it.</param>
public readonly record struct EmbeddingProgress(long WordsDone, long WordsTotal, long TokensRead, float LearningRate, TimeSpan Elapsed, double? Loss)
{
    /// <summary>Share of the run done, 0 … 1.</summary>
    public double Fraction => WordsTotal == 0 ? 1 : Math.Min(1, (double)WordsDone / WordsTotal);

    /// <summary>Words read per second.</summary>
    public double WordsPerSecond => Elapsed.TotalSeconds > 0 ? TokensRead / Elapsed.TotalSeconds : 0;

    /// <summary>Estimated time left, once something is done.</summary>
    public TimeSpan? Remaining => Fraction > 0 ? Elapsed * ((1 - Fraction) / Fraction) : null;
}

/// <summary>The outcome of <see cref="EmbeddingTrainer.Train"/>.</summary>
/// <param name="Vectors">The input vectors (word2vec's syn0, the book's <c>embeddings</c>), in vocabulary order.</param>
/// <param name="Completed">False when the run was cancelled: the vectors are those trained so far.</param>
public sealed record EmbeddingResult(WordVectors Vectors, bool Completed, EmbeddingProgress Final)
{
    /// <summary>Words read per second over the run (see <see cref="EmbeddingProgress.TokensRead"/>).</summary>
    public double WordsPerSecond => Final.WordsPerSecond;
}
