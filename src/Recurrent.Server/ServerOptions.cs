namespace Recurrent.Server;

/// <summary>
/// Limits and concurrency of the server. A request over a size limit gets 413, a parameter out of range 400, each
/// with an RFC 9457 problem body that names the field, the limit and what was sent.
/// </summary>
public sealed record ServerOptions
{
    /// <summary>Longest text, prime or word, in UTF-16 characters.</summary>
    public int MaxTextLength { get; init; } = 4096;

    /// <summary>Most tokens one <c>generate</c> call may ask for.</summary>
    public int MaxGenerateLength { get; init; } = 2000;

    /// <summary>Most texts in one <c>score</c>, <c>classify</c> or <c>tag</c> call, and words in one <c>vector</c> call.</summary>
    public int MaxBatchTexts { get; init; } = 64;

    /// <summary>Largest request body, in bytes.</summary>
    public int MaxBodyBytes { get; init; } = 1 << 20;

    /// <summary>Largest <c>k</c> of <c>next</c> and <c>nearest</c>.</summary>
    public int MaxTopK { get; init; } = 1000;

    /// <summary>
    /// How many requests compute at once, whatever the number of requests in flight; the others wait (without
    /// holding a thread) for a slot. Each computing request runs on its own thread, and one of them at a time may
    /// also use the kernels' worker pool (<see cref="Kernels.ComputeThreads"/>), so at most
    /// <c>ComputeSlots + ComputeThreads.Count − 1</c> threads compute.
    /// </summary>
    public int ComputeSlots { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Generations one model runs at once. Each holds an inference object (its own buffers and recurrent state over
    /// the shared weights) for all its tokens; further <c>generate</c> calls wait for one to end. Short requests
    /// (<c>next</c>, <c>score</c>, <c>classify</c>) have objects of their own, one per compute slot.
    /// </summary>
    public int GenerationsPerModel { get; init; } = 4 * Environment.ProcessorCount;

    /// <summary>
    /// Most <c>next</c> requests of one model computed together (see <see cref="NextBatcher"/>): their recurrent steps
    /// run as one batch and their softmax projections as one matrix product. 1 computes each request on its own.
    /// </summary>
    public int NextBatchSize { get; init; } = 64;

    /// <summary>
    /// How long a <c>next</c> request may wait for others to share its batch, counted from its arrival. Under load
    /// requests queue while a batch computes and none waits this long; alone, a request waits at most this.
    /// </summary>
    public TimeSpan NextBatchWindow { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Most token positions (longest context × requests) in one batch: requests are batched by context length, and a
    /// context longer than this computes alone. Bounds the batch's buffers.
    /// </summary>
    public int NextBatchTokens { get; init; } = 2048;

    /// <summary>How long a stopping server (SIGTERM, Ctrl-C) lets requests in flight finish before it closes them.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Checks that every limit is positive.</summary>
    /// <exception cref="RecurrentException">A limit is zero or negative (the message names it).</exception>
    public void Validate()
    {
        Positive(MaxTextLength, nameof(MaxTextLength));
        Positive(MaxGenerateLength, nameof(MaxGenerateLength));
        Positive(MaxBatchTexts, nameof(MaxBatchTexts));
        Positive(MaxBodyBytes, nameof(MaxBodyBytes));
        Positive(MaxTopK, nameof(MaxTopK));
        Positive(ComputeSlots, nameof(ComputeSlots));
        Positive(GenerationsPerModel, nameof(GenerationsPerModel));
        Positive(NextBatchSize, nameof(NextBatchSize));
        Positive(NextBatchTokens, nameof(NextBatchTokens));
        if (NextBatchWindow < TimeSpan.Zero || NextBatchWindow > TimeSpan.FromSeconds(1))
            throw new RecurrentException($"{nameof(NextBatchWindow)} must be between 0 and 1 s, got {NextBatchWindow.TotalMilliseconds} ms.");
        if (DrainTimeout < TimeSpan.Zero) throw new RecurrentException($"{nameof(DrainTimeout)} must not be negative, got {DrainTimeout}.");

        static void Positive(int value, string name)
        {
            if (value < 1) throw new RecurrentException($"{name} must be at least 1, got {value}.");
        }
    }
}
