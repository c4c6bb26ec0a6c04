namespace Recurrent.Embeddings;

/// <summary>A word with a score: its cosine similarity to a query.</summary>
/// <param name="Index">The word's row in the <see cref="WordVectors"/>.</param>
public readonly record struct WordScore(string Word, int Index, float Similarity);
