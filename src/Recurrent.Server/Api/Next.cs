namespace Recurrent.Server.Api;

/// <summary><c>POST /v1/models/{name}/next</c>: the <see cref="K"/> most probable tokens after <see cref="Text"/>.</summary>
public sealed record NextRequest
{
    /// <summary>The text so far (words or characters). Empty: the start of a sentence (word models) or a line (char models).</summary>
    public string? Text { get; init; }

    /// <summary>How many candidates, most probable first (at most the vocabulary).</summary>
    public int K { get; init; } = 10;
}

public sealed record NextResponse(string Model, IReadOnlyList<TokenProbability> Tokens);

public sealed record TokenProbability(string Token, int Id, double Probability);
