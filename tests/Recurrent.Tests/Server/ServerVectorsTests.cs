using System.Globalization;
using System.Net;
using System.Text.Json;
using Recurrent.Data;
using Recurrent.Embeddings;
using Recurrent.Server;
using Recurrent.Server.Models;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Server;

/// <summary>
/// <c>nearest</c>, <c>analogy</c> and <c>vector</c> on word vectors, checked against cosines computed here in double
/// over every word; the three file layouts and the ways a vectors file is recognised.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ServerVectorsTests(ServedTestModels models) : IDisposable
{
    private readonly ServerFactory _server = models.CreateServer(new ServerOptions { MaxTopK = 20, MaxBatchTexts = 3, MaxTextLength = 50 });

    public void Dispose() => _server.Dispose();

    private HttpClient Client => _server.CreateClient();

    private static double[] Unit(ReadOnlySpan<float> v)
    {
        double norm = 0;
        foreach (float x in v) norm += (double)x * x;
        norm = Math.Sqrt(norm);
        var u = new double[v.Length];
        for (int i = 0; i < v.Length; i++) u[i] = v[i] / norm;
        return u;
    }

    /// <summary>Brute force: every word but <paramref name="exclude"/> by cos(word, target), best first, ties to the lower row.</summary>
    private static (string Word, double Similarity)[] Ranked(WordVectors vectors, double[] target, int k, params string[] exclude)
    {
        double norm = Math.Sqrt(target.Sum(x => x * x));
        return [.. Enumerable.Range(0, vectors.Count).Where(r => !exclude.Contains(vectors.Words[r]))
            .Select(r => (Row: r, Similarity: Unit(vectors[r]).Zip(target, (a, b) => a * b).Sum() / norm))
            .OrderByDescending(s => s.Similarity).ThenBy(s => s.Row).Take(k)
            .Select(s => (vectors.Words[s.Row], s.Similarity))];
    }

    private static void AssertNeighbours((string Word, double Similarity)[] expected, JsonElement answer)
    {
        JsonElement[] got = [.. answer.GetProperty("neighbours").EnumerateArray()];
        Assert.Equal(expected.Select(e => e.Word), got.Select(g => g.GetProperty("word").GetString()));
        for (int i = 0; i < got.Length; i++) Assert.Equal(expected[i].Similarity, got[i].GetProperty("similarity").GetDouble(), 1e-5);
    }

    [Fact]
    public async Task NearestRanksEveryOtherWordByCosine()
    {
        WordVectors v = models.Vectors;
        foreach ((string word, int k) in new[] { ("king", 5), ("apple", 1), ("König", 20), ("w7", 12) })
        {
            JsonElement answer = await (await Client.PostObject("/v1/models/vectors/nearest", new { word, k })).Json();
            Assert.Equal("vectors", answer.GetProperty("model").GetString());
            AssertNeighbours(Ranked(v, Unit(v.VectorOf(word)), k, word), answer);
        }
        JsonElement apple = await (await Client.PostObject("/v1/models/vectors/nearest", new { word = "apple", k = 1 })).Json();
        Assert.Equal("orange", apple.GetProperty("neighbours")[0].GetProperty("word").GetString());
        // k defaults to 10.
        Assert.Equal(10, (await (await Client.PostObject("/v1/models/vectors/nearest", new { word = "car" })).Json()).GetProperty("neighbours").GetArrayLength());
    }

    [Fact]
    public async Task AnalogyIsTheNearestToBMinusAPlusC()
    {
        WordVectors v = models.Vectors;
        foreach ((string a, string b, string c) in new[] { ("man", "king", "woman"), ("king", "queen", "prince"), ("car", "truck", "apple") })
        {
            double[] target = Unit(v.VectorOf(b)).Zip(Unit(v.VectorOf(a)), (x, y) => x - y).Zip(Unit(v.VectorOf(c)), (x, y) => x + y).ToArray();
            JsonElement answer = await (await Client.PostObject("/v1/models/vectors/analogy", new { a, b, c, k = 7 })).Json();
            AssertNeighbours(Ranked(v, target, 7, a, b, c), answer);
        }
        JsonElement queen = await (await Client.PostObject("/v1/models/vectors/analogy", new { a = "man", b = "king", c = "woman", k = 1 })).Json();
        Assert.Equal("queen", queen.GetProperty("neighbours")[0].GetProperty("word").GetString());
        JsonElement princess = await (await Client.PostObject("/v1/models/vectors/analogy", new { a = "king", b = "queen", c = "prince", k = 1 })).Json();
        Assert.Equal("princess", princess.GetProperty("neighbours")[0].GetProperty("word").GetString());
    }

    [Fact]
    public async Task VectorGivesTheFilesNumbers()
    {
        WordVectors v = models.Vectors;
        JsonElement one = await (await Client.PostObject("/v1/models/vectors/vector", new { word = "König" })).Json();
        Assert.Equal("König", one.GetProperty("word").GetString());
        Assert.Equal(6, one.GetProperty("dimension").GetInt32());
        Assert.Equal(v.VectorOf("König").ToArray(), one.GetProperty("vector").EnumerateArray().Select(x => x.GetSingle()));
        Assert.False(one.TryGetProperty("vectors", out _));

        JsonElement several = await (await Client.PostObject("/v1/models/vectors/vector", new { words = new[] { "car", "w3", "car" } })).Json();
        Assert.False(several.TryGetProperty("word", out _));
        JsonElement[] entries = [.. several.GetProperty("vectors").EnumerateArray()];
        Assert.Equal(["car", "w3", "car"], entries.Select(e => e.GetProperty("word").GetString()));
        for (int i = 0; i < entries.Length; i++)
            Assert.Equal(v.VectorOf(entries[i].GetProperty("word").GetString()!).ToArray(), entries[i].GetProperty("vector").EnumerateArray().Select(x => x.GetSingle()));
    }

    [Fact]
    public async Task WordsWithoutAVectorAre404AndBadRequestsAre400Or413()
    {
        HttpClient client = Client;
        await (await client.PostObject("/v1/models/vectors/nearest", new { word = "zebra" })).Problem(HttpStatusCode.NotFound,
            "Model 'vectors' has no vector for the word 'zebra'", "41 words", "exact, case included");
        await (await client.PostObject("/v1/models/vectors/nearest", new { word = "King" })).Problem(HttpStatusCode.NotFound, "the word 'King'");
        await (await client.PostObject("/v1/models/vectors/analogy", new { a = "man", b = "kong", c = "wuman" })).Problem(HttpStatusCode.NotFound, "the words 'kong', 'wuman'");
        await (await client.PostObject("/v1/models/vectors/vector", new { words = new[] { "car", "bus" } })).Problem(HttpStatusCode.NotFound, "the word 'bus'");
        await (await client.PostObject("/v1/models/vectors/vector", new { word = "car", words = new[] { "car" } })).Problem(HttpStatusCode.BadRequest, "either 'word'", "not both");
        await (await client.Post("/v1/models/vectors/vector", "{}")).Problem(HttpStatusCode.BadRequest, "either 'word'");
        await (await client.PostObject("/v1/models/vectors/vector", new { words = Array.Empty<string>() })).Problem(HttpStatusCode.BadRequest, "'words' is empty");
        await (await client.Post("/v1/models/vectors/vector", """{"words": ["car", null]}""")).Problem(HttpStatusCode.BadRequest, "words[1] is null");
        await (await client.PostObject("/v1/models/vectors/nearest", new { word = "" })).Problem(HttpStatusCode.BadRequest, "'word' is empty");
        await (await client.Post("/v1/models/vectors/nearest", """{"k": 3}""")).Problem(HttpStatusCode.BadRequest, "'word' is required");
        await (await client.Post("/v1/models/vectors/analogy", """{"a": "man", "b": "king"}""")).Problem(HttpStatusCode.BadRequest, "'c' is required");
        await (await client.PostObject("/v1/models/vectors/nearest", new { word = "car", k = 0 })).Problem(HttpStatusCode.BadRequest, "'k' must be between 1 and 20, got 0");
        await (await client.PostObject("/v1/models/vectors/analogy", new { a = "man", b = "king", c = "woman", k = 21 })).Problem(HttpStatusCode.BadRequest, "'k' must be between 1 and 20");
        await (await client.Post("/v1/models/vectors/nearest", """{"word": "car", "n": 3}""")).Problem(HttpStatusCode.BadRequest, "'n' is not a field");
        // Limits: 413.
        await (await client.PostObject("/v1/models/vectors/nearest", new { word = new string('a', 51) })).Problem(HttpStatusCode.RequestEntityTooLarge, "'word' has 51 characters");
        await (await client.PostObject("/v1/models/vectors/analogy", new { a = "man", b = new string('b', 51), c = "woman" })).Problem(HttpStatusCode.RequestEntityTooLarge, "'b' has 51 characters");
        await (await client.PostObject("/v1/models/vectors/vector", new { words = new[] { "a", "b", "c", "d" } })).Problem(HttpStatusCode.RequestEntityTooLarge, "'words' has 4 words", "at most 3");
        await (await client.PostObject("/v1/models/vectors/vector", new { words = new[] { "car", new string('x', 51) } })).Problem(HttpStatusCode.RequestEntityTooLarge, "words[1] has 51 characters");
        // The wrong kind of model.
        await (await client.PostObject("/v1/models/vectors/next", new { text = "the" })).Problem(HttpStatusCode.BadRequest, "Model 'vectors' is a vectors model; 'next' needs a word or char language model. Its actions: nearest, analogy, vector.");
        await (await client.PostObject("/v1/models/vectors/tag", new { texts = new[] { "the" } })).Problem(HttpStatusCode.BadRequest, "'tag' needs a tagger");
        await (await client.PostObject("/v1/models/chunker/vector", new { word = "the" })).Problem(HttpStatusCode.BadRequest, "'vector' needs word vectors");
    }

    /// <summary>
    /// word2vec binary (<c>.bin</c>), word2vec text (<c>.txt</c>) and GloVe (any name, given as <c>vectors:NAME=PATH</c>)
    /// serve the same vectors; a checkpoint is never read as vectors, whatever loader order.
    /// </summary>
    [Fact]
    public async Task EveryLayoutAndWayOfNamingAVectorsFileServes()
    {
        using var dir = new TempDirectory();
        WordVectors v = models.Vectors;
        string binary = Path.Combine(dir.Path, "binary.bin"), text = Path.Combine(dir.Path, "text.txt"), glove = Path.Combine(dir.Path, "glove.6d.data");
        WordVectorsFile.Write(binary, v, binary: true);
        WordVectorsFile.Write(text, v, binary: false);
        using (var writer = new StreamWriter(glove))
            for (int r = 0; r < v.Count; r++)
                writer.WriteLine(v.Words[r] + " " + string.Join(' ', v[r].ToArray().Select(x => x.ToString("R", CultureInfo.InvariantCulture))));

        ModelSpec[] specs = [.. new[] { binary, "plain=" + text, "vectors:glove=" + glove, "vectors:" + glove }.Select(ModelSpec.Parse)];
        Assert.Equal(["binary", "plain", "glove", "glove.6d"], specs.Select(s => s.Name));
        Assert.Equal([false, false, true, true], specs.Select(s => s.Vectors));
        Assert.All(specs, s => Assert.True(s.IsVectorsFile));
        Assert.False(ModelSpec.Parse(glove).IsVectorsFile);                 // an unknown extension without the prefix is a checkpoint
        Assert.False(ModelSpec.Parse(models.ChunkerCheckpoint).IsVectorsFile);
        Assert.False(ModelSpec.Parse(Path.Combine(dir.Path, "missing.vec")).IsVectorsFile); // no such file: left to the checkpoint loader's error

        using var serving = new ServingContext(new ServerOptions());
        using ModelCatalog catalog = ModelCatalog.Load(specs, serving);
        foreach (ServedModel model in catalog.Models)
        {
            Assert.Equal("vectors", model.Kind);
            var served = (IWordVectorModel)model;
            Assert.Equal(v.Nearest("king", 5).Select(s => s.Word), (await served.NearestAsync("king", 5, CancellationToken.None)).Neighbours.Select(n => n.Word));
            Assert.Equal(v.VectorOf("w1").ToArray(), (await served.VectorsAsync(["w1"], CancellationToken.None))[0].Vector);
        }
        // A checkpoint given as vectors: is read as vectors, and says it is not one.
        Assert.Contains("bad header", Assert.Throws<RecurrentException>(() => ModelCatalog.Load([ModelSpec.Parse("vectors:" + models.ChunkerCheckpoint)], serving)).Message);
    }
}
