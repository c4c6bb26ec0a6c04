namespace Recurrent.Server.Api;

/// <summary>
/// <c>POST /v1/models/{name}/generate</c>: text drawn from a language model after <see cref="Prime"/>. With
/// <see cref="Stream"/> (or <c>Accept: text/event-stream</c>) each token is sent as a server-sent event as soon as it
/// is drawn; otherwise the whole text comes back at the end.
/// </summary>
public sealed record GenerateRequest
{
    /// <summary>Text to continue. Empty: the start of a sentence (word models) or a line (char models).</summary>
    public string? Prime { get; init; }

    /// <summary>Tokens to draw (words, <c>&lt;eos&gt;</c> counted as one, or characters).</summary>
    public int Length { get; init; } = 50;

    /// <summary>Below 1 sharpens the distribution towards the most probable token, above 1 flattens it.</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Draw only among the k most probable tokens; 0 draws among all.</summary>
    public int TopK { get; init; }

    /// <summary>The same seed gives the same text.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Always take the most probable token.</summary>
    public bool Greedy { get; init; }

    /// <summary>Send server-sent events as tokens are drawn.</summary>
    public bool Stream { get; init; }
}

/// <param name="Text">The generated text (after the prime, which is not repeated).</param>
/// <param name="Tokens">How many tokens were drawn.</param>
public sealed record GenerateResponse(string Model, string Prime, string Text, int Tokens);

/// <summary>The data of one <c>token</c> event of a streamed generation.</summary>
public sealed record GeneratedToken(string Text, int Id);

/// <summary>The data of the <c>done</c> event that ends a streamed generation.</summary>
public sealed record GenerationDone(int Tokens);
