namespace Recurrent.Server.Api;

/// <summary><c>POST /v1/models/{name}/score</c>: each text's log-probability as a sentence.</summary>
public sealed record ScoreRequest
{
    public IReadOnlyList<string>? Texts { get; init; }
}

public sealed record ScoreResponse(string Model, IReadOnlyList<SentenceScoreResult> Results);

/// <param name="LogProbability">Natural log of the text's probability (the end of the sentence included for word models).</param>
/// <param name="Perplexity"><c>exp(−LogProbability / Tokens)</c>.</param>
/// <param name="Tokens">How many tokens were scored.</param>
public sealed record SentenceScoreResult(double LogProbability, double Perplexity, int Tokens);
