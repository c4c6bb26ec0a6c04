namespace Recurrent.Server.Api;

// Word-vector actions (nearest, analogy, vector). Their routes and contracts are in place; a served model answers
// them once it implements IWordVectorModel (word vectors land in their own issue, loaded from name=path.bin).

/// <summary><c>POST /v1/models/{name}/nearest</c>: the <see cref="K"/> words closest to <see cref="Word"/> (cosine similarity).</summary>
public sealed record NearestRequest
{
    public string? Word { get; init; }
    public int K { get; init; } = 10;
}

/// <summary><c>POST /v1/models/{name}/analogy</c>: <see cref="A"/> is to <see cref="B"/> as <see cref="C"/> is to … (<c>b − a + c</c>).</summary>
public sealed record AnalogyRequest
{
    public string? A { get; init; }
    public string? B { get; init; }
    public string? C { get; init; }
    public int K { get; init; } = 10;
}

/// <summary><c>POST /v1/models/{name}/vector</c>: the vector of <see cref="Word"/>.</summary>
public sealed record VectorRequest
{
    public string? Word { get; init; }
}

public sealed record NeighboursResponse(string Model, IReadOnlyList<Neighbour> Neighbours);

public sealed record Neighbour(string Word, double Similarity);

public sealed record VectorResponse(string Model, string Word, IReadOnlyList<float> Vector);
