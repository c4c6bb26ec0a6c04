namespace Recurrent.Server.Api;

/// <summary>
/// <c>POST /v1/models/{name}/tag</c>: one tag per token of each text. The route and its contract are in place; a
/// served model answers it once it implements <see cref="Models.ITaggingModel"/> (sequence taggers land in their own issue).
/// </summary>
public sealed record TagRequest
{
    public IReadOnlyList<string>? Texts { get; init; }
}

public sealed record TagResponse(string Model, IReadOnlyList<string> Labels, IReadOnlyList<TaggedText> Results);

public sealed record TaggedText(IReadOnlyList<TaggedToken> Tokens);

public sealed record TaggedToken(string Token, string Tag, double Probability);
