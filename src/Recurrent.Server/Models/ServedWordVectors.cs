using Recurrent.Embeddings;
using Recurrent.Server.Api;

namespace Recurrent.Server.Models;

/// <summary>
/// Word vectors (a word2vec or GloVe file): <c>nearest</c>, <c>analogy</c> and <c>vector</c>. The vectors are read
/// once and only read afterwards, so requests share them without copies or locks; each search runs in a compute slot.
/// </summary>
public sealed class ServedWordVectors : ServedModel, IWordVectorModel
{
    /// <summary>The kind <c>GET /v1/models</c> shows.</summary>
    public const string VectorsKind = "vectors";

    private readonly WordVectors _vectors;
    private readonly ServingContext _context;

    /// <exception cref="RecurrentException">The file holds no vectors.</exception>
    public ServedWordVectors(string name, WordVectors vectors, string path, ServingContext context) : base(name, VectorsKind)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (vectors.Count == 0) throw new RecurrentException($"{path}: the vectors file holds no vectors.");
        _vectors = vectors;
        _context = context;
    }

    public override int VocabularySize => _vectors.Count;

    public override int? Dimension => _vectors.Dimension;

    public override long Parameters => (long)_vectors.Count * _vectors.Dimension;

    /// <summary>
    /// Normalises the rows now (<see cref="WordVectors"/> does it on its first search and keeps the result), so that
    /// requests only ever read them.
    /// </summary>
    public override Task WarmAsync()
    {
        _vectors.Nearest(_vectors[0], 1);
        return Task.CompletedTask;
    }

    public async ValueTask<NeighboursResponse> NearestAsync(string word, int k, CancellationToken cancellation)
    {
        Require("word", word);
        IReadOnlyList<WordScore> scores = await _context.Gate.RunAsync(() => _vectors.Nearest(word, k), cancellation).ConfigureAwait(false);
        return new NeighboursResponse(Name, Neighbours(scores));
    }

    public async ValueTask<NeighboursResponse> AnalogyAsync(string a, string b, string c, int k, CancellationToken cancellation)
    {
        Require(("a", a), ("b", b), ("c", c));
        IReadOnlyList<WordScore> scores = await _context.Gate.RunAsync(() => _vectors.Analogy(a, b, c, k), cancellation).ConfigureAwait(false);
        return new NeighboursResponse(Name, Neighbours(scores));
    }

    public ValueTask<IReadOnlyList<WordVector>> VectorsAsync(IReadOnlyList<string> words, CancellationToken cancellation)
    {
        var fields = new (string Field, string Word)[words.Count];
        for (int i = 0; i < words.Count; i++) fields[i] = (words.Count == 1 ? "word" : $"words[{i}]", words[i]);
        Require(fields);
        var vectors = new WordVector[words.Count];
        for (int i = 0; i < words.Count; i++) vectors[i] = new WordVector(words[i], _vectors.VectorOf(words[i]).ToArray());
        return ValueTask.FromResult<IReadOnlyList<WordVector>>(vectors);
    }

    private static Neighbour[] Neighbours(IReadOnlyList<WordScore> scores)
    {
        var neighbours = new Neighbour[scores.Count];
        for (int i = 0; i < neighbours.Length; i++) neighbours[i] = new Neighbour(scores[i].Word, scores[i].Similarity);
        return neighbours;
    }

    private void Require(string field, string word) => Require((field, word));

    /// <exception cref="ApiProblemException">400: a word is empty; 404: words without a vector (all of them named).</exception>
    private void Require(params (string Field, string Word)[] words)
    {
        var missing = new List<string>();
        foreach ((string field, string word) in words)
        {
            if (word.Length == 0) throw ApiProblemException.BadRequest($"'{field}' is empty: give a word.");
            if (_vectors.IndexOf(word) < 0 && !missing.Contains(word)) missing.Add(word);
        }
        if (missing.Count == 0) return;
        string list = string.Join(", ", missing.Select(w => $"'{(w.Length <= 80 ? w : w[..80] + "…")}'"));
        throw ApiProblemException.NotFound(
            $"Model '{Name}' has no vector for {(missing.Count == 1 ? "the word" : "the words")} {list} ({_vectors.Count:N0} words; the lookup is exact, case included).");
    }
}
