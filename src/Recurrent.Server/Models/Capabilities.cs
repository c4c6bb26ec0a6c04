using Recurrent.Server.Api;

namespace Recurrent.Server.Models;

// What a served model can do, one interface per action (see ModelActions). Implementations check what depends on the
// model (words in its vocabulary, k against its size); the endpoints have already checked the server's limits.
// Every method borrows an inference object and computes through the ComputeGate.

/// <summary>Answers <c>next</c>: the most probable next tokens.</summary>
public interface INextTokenModel
{
    ValueTask<NextResponse> NextAsync(string text, int k, CancellationToken cancellation);
}

/// <summary>Answers <c>score</c>: each text's log-probability and perplexity.</summary>
public interface IScoringModel
{
    ValueTask<ScoreResponse> ScoreAsync(IReadOnlyList<string> texts, CancellationToken cancellation);
}

/// <summary>Answers <c>generate</c>.</summary>
public interface IGeneratingModel
{
    /// <summary>
    /// Checks the request and encodes the prime (errors surface here, before a streamed response has started),
    /// then borrows an inference object for the generation's lifetime.
    /// </summary>
    ValueTask<Generation> StartAsync(GenerateRequest request, CancellationToken cancellation);
}

/// <summary>Answers <c>classify</c>.</summary>
public interface IClassifyingModel
{
    ValueTask<ClassifyResponse> ClassifyAsync(IReadOnlyList<string> texts, CancellationToken cancellation);
}

/// <summary>Answers <c>tag</c>.</summary>
public interface ITaggingModel
{
    ValueTask<TagResponse> TagAsync(IReadOnlyList<string> texts, CancellationToken cancellation);
}

/// <summary>Answers <c>nearest</c>, <c>analogy</c> and <c>vector</c>. A word without a vector is a 404 that names it.</summary>
public interface IWordVectorModel
{
    ValueTask<NeighboursResponse> NearestAsync(string word, int k, CancellationToken cancellation);
    ValueTask<NeighboursResponse> AnalogyAsync(string a, string b, string c, int k, CancellationToken cancellation);
    ValueTask<IReadOnlyList<WordVector>> VectorsAsync(IReadOnlyList<string> words, CancellationToken cancellation);
}

/// <summary>
/// A generation in progress: it holds an inference object until it is disposed, which <see cref="Tokens"/> does
/// when it ends (all tokens drawn, the client gone, or an error).
/// </summary>
public abstract class Generation : IDisposable
{
    /// <summary>The prime as the model reads it (an empty prime is the start of a sentence or a line).</summary>
    public abstract string Prime { get; }

    /// <summary>The tokens, each drawn only when the consumer asks for it; stops at once when <paramref name="cancellation"/> fires.</summary>
    public abstract IAsyncEnumerable<GeneratedToken> Tokens(CancellationToken cancellation);

    public abstract void Dispose();
}
