namespace Recurrent.Server.Api;

// Word-vector actions (nearest, analogy, vector) of a word2vec or GloVe file. Words are looked up exactly, case
// included; a word without a vector is a 404 whose detail names it.

/// <summary><c>POST /v1/models/{name}/nearest</c>: the <see cref="K"/> words closest to <see cref="Word"/> (cosine similarity), leaving out the word itself.</summary>
public sealed record NearestRequest
{
    public string? Word { get; init; }
    public int K { get; init; } = 10;
}

/// <summary>
/// <c>POST /v1/models/{name}/analogy</c>: <see cref="A"/> is to <see cref="B"/> as <see cref="C"/> is to …: the words
/// x with the highest <c>cos(x, b̂ − â + ĉ)</c> (word2vec's 3CosAdd on unit vectors), leaving out a, b and c. For
/// <c>{"a": "man", "b": "king", "c": "woman"}</c> the answer is queen.
/// </summary>
public sealed record AnalogyRequest
{
    public string? A { get; init; }
    public string? B { get; init; }
    public string? C { get; init; }
    public int K { get; init; } = 10;
}

/// <summary><c>POST /v1/models/{name}/vector</c>: the vector of <see cref="Word"/>, or of each of <see cref="Words"/> (give one of the two).</summary>
public sealed record VectorRequest
{
    public string? Word { get; init; }
    public IReadOnlyList<string>? Words { get; init; }
}

/// <param name="Neighbours">Most similar first.</param>
public sealed record NeighboursResponse(string Model, IReadOnlyList<Neighbour> Neighbours);

/// <param name="Similarity">Cosine similarity, in [−1, 1].</param>
public sealed record Neighbour(string Word, double Similarity);

/// <summary>The answer to <c>vector</c>: <see cref="Word"/> and <see cref="Vector"/> for <c>word</c>, <see cref="Vectors"/> for <c>words</c>.</summary>
public sealed record VectorResponse(string Model, int Dimension, string? Word, IReadOnlyList<float>? Vector, IReadOnlyList<WordVector>? Vectors);

/// <summary>One word's vector, as the file holds it (not normalised).</summary>
public sealed record WordVector(string Word, IReadOnlyList<float> Vector);
