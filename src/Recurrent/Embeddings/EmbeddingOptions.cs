namespace Recurrent.Embeddings;

/// <summary>The training objective of <see cref="EmbeddingTrainer"/>.</summary>
public enum EmbeddingLoss
{
    /// <summary>word2vec's negative sampling (<see cref="Embeddings.NegativeSampling"/>), plain SGD per word pair.</summary>
    NegativeSampling,

    /// <summary>TensorFlow's <c>nce_loss</c> (<see cref="NoiseContrastiveEstimation"/>), momentum SGD per batch of pairs.</summary>
    Nce,
}

/// <summary>
/// Hyper-parameters of word-embedding training, with word2vec's defaults; the properties carry the names of the
/// word2vec options they mirror (<c>-size</c>, <c>-window</c>, ...).
/// </summary>
public sealed record EmbeddingOptions
{
    /// <summary><c>-size</c>: vector length.</summary>
    public int Dimension { get; init; } = 100;

    /// <summary><c>-window</c>: the largest context distance; each word draws its span from 1 … window (<see cref="ContextWindow"/>).</summary>
    public int Window { get; init; } = 5;

    /// <summary><c>-negative</c>: noise words per pair (negative sampling) or per batch (NCE).</summary>
    public int Negative { get; init; } = 5;

    /// <summary><c>-sample</c>: the subsampling threshold (<see cref="Subsampling"/>); 0 keeps every word.</summary>
    public double Sample { get; init; } = 1e-3;

    /// <summary><c>-min-count</c>: words seen fewer times are left out.</summary>
    public int MinCount { get; init; } = 5;

    /// <summary>The most words kept (0: no limit), <see cref="EmbeddingVocabulary.Unknown"/> included.</summary>
    public int MaxVocabulary { get; init; }

    /// <summary>Left-out words train as <see cref="EmbeddingVocabulary.Unknown"/> instead of being skipped.</summary>
    public bool MapUnknown { get; init; }

    /// <summary><c>-iter</c>: passes over the text.</summary>
    public int Epochs { get; init; } = 5;

    /// <summary><c>-alpha</c>: the starting learning rate; null for the objective's default (<see cref="EffectiveLearningRate"/>).</summary>
    public float? LearningRate { get; init; }

    /// <summary><c>-cbow 1</c>: predict each word from the mean of its context (negative sampling only); else skip-gram.</summary>
    public bool Cbow { get; init; }

    /// <summary>The objective.</summary>
    public EmbeddingLoss Loss { get; init; } = EmbeddingLoss.NegativeSampling;

    /// <summary><c>-threads</c>: training threads, each on its own slice of the text, updating the shared weights without locks.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Seeds the initial weights and every thread's random stream: one thread and a seed reproduce a run bit for bit.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Negative sampling: the input vectors start uniform in <c>±InitialRange / size</c>; the output vectors start at 0.
    /// word2vec.c draws ±0.5/size and gensim 4 ±1/size. The default, 16, learns faster from a small text: the output
    /// vectors grow from 0 at a rate proportional to the input vectors, so tiny inputs spend the first part of
    /// training near the origin, where skip-gram's gradient vanishes (docs/results/embeddings.md has the
    /// measurements). NCE keeps TensorFlow for Machine Intelligence's uniform(−1, 1).
    /// </summary>
    public float InitialRange { get; init; } = 16;

    /// <summary>NCE: pairs per batch.</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>NCE: the momentum μ of <c>tf.train.MomentumOptimizer</c>.</summary>
    public float Momentum { get; init; } = 0.5f;

    /// <summary>
    /// The learning rate used: <see cref="LearningRate"/>, else word2vec's 0.025 for skip-gram and 0.05 for CBOW, or
    /// 0.5 for NCE (TensorFlow for Machine Intelligence). Negative sampling decays it linearly (<see cref="LinearDecay"/>);
    /// NCE keeps it constant, as the book does.
    /// </summary>
    public float EffectiveLearningRate => LearningRate ?? (Loss == EmbeddingLoss.Nce ? 0.5f : Cbow ? 0.05f : 0.025f);

    /// <summary>
    /// TensorFlow for Machine Intelligence's skip-gram embedding (chapter 6): 200 dimensions, contexts of up to 10 words,
    /// NCE with 100 noise words from the log-uniform sampler, a 10,000-word vocabulary with <c>&lt;unk&gt;</c> for the
    /// rest, no subsampling, batches of 1,000 pairs, momentum optimizer with learning rate 0.5 and momentum 0.5. The
    /// book trains for 100,000 batches; here one pass over the text.
    /// </summary>
    public static EmbeddingOptions Tfmi { get; } = new()
    {
        Dimension = 200,
        Window = 10,
        Negative = 100,
        Sample = 0,
        MinCount = 1,
        MaxVocabulary = 10_000,
        MapUnknown = true,
        Epochs = 1,
        LearningRate = 0.5f,
        Loss = EmbeddingLoss.Nce,
        BatchSize = 1000,
        Momentum = 0.5f,
    };

    /// <summary>Checks every value; the messages name the command-line options.</summary>
    /// <exception cref="RecurrentException">A value is out of range.</exception>
    public void Validate()
    {
        if (Dimension < 1) throw new RecurrentException($"--size must be at least 1, got {Dimension}.");
        if (Window < 1) throw new RecurrentException($"--window must be at least 1, got {Window}.");
        if (Negative < 1 || Negative > 10_000) throw new RecurrentException($"--negative must be between 1 and 10000, got {Negative}.");
        if (!(Sample >= 0) || double.IsInfinity(Sample)) throw new RecurrentException($"--sample must be zero or positive, got {Sample}.");
        if (MinCount < 1) throw new RecurrentException($"--min-count must be at least 1, got {MinCount}.");
        if (MaxVocabulary < 0 || (MapUnknown && MaxVocabulary == 1)) throw new RecurrentException($"--max-vocab must be 0 (no limit) or at least {(MapUnknown ? 2 : 1)}, got {MaxVocabulary}.");
        if (Epochs < 1) throw new RecurrentException($"--iter must be at least 1, got {Epochs}.");
        if (!(EffectiveLearningRate > 0) || float.IsInfinity(EffectiveLearningRate)) throw new RecurrentException($"--alpha must be positive, got {EffectiveLearningRate}.");
        if (!(InitialRange > 0) || float.IsInfinity(InitialRange)) throw new RecurrentException($"--init-range must be positive, got {InitialRange}.");
        if (Threads < 1) throw new RecurrentException($"--threads must be at least 1, got {Threads}.");
        if (Cbow && Loss == EmbeddingLoss.Nce) throw new RecurrentException("--cbow works with --loss ns only: NCE trains skip-gram pairs, as TensorFlow for Machine Intelligence does.");
        if (BatchSize < 1) throw new RecurrentException($"The NCE batch size must be at least 1, got {BatchSize}.");
        if (!(Momentum >= 0 && Momentum < 1)) throw new RecurrentException($"The NCE momentum must be in [0, 1), got {Momentum}.");
        if ((long)Dimension * Math.Max(1, MaxVocabulary) > Array.MaxLength) throw new RecurrentException($"--size {Dimension} is too large.");
    }
}
