namespace Recurrent.Server.Api;

/// <summary><c>POST /v1/models/{name}/classify</c>: the label of each text, with every class's probability.</summary>
public sealed record ClassifyRequest
{
    public IReadOnlyList<string>? Texts { get; init; }
}

public sealed record ClassifyResponse(string Model, IReadOnlyList<string> Labels, IReadOnlyList<Classification> Results);

/// <param name="Label">The most probable label.</param>
/// <param name="Probabilities">Each label's probability, in the model's label order.</param>
public sealed record Classification(string Label, IReadOnlyDictionary<string, double> Probabilities);
