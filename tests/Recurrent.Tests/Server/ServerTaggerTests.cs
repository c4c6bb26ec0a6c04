using System.Net;
using System.Text.Json;
using Recurrent.Data.Labelling;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Server;
using Recurrent.Server.Api;
using Recurrent.Server.Models;
using Recurrent.Tests.Support;
using Recurrent.Training;

namespace Recurrent.Tests.Server;

/// <summary>
/// <c>tag</c> on a softmax and a CRF tagger, each answer checked against the tagger run alone: the softmax of its
/// scores, and for the CRF the tags and marginals of every tag sequence enumerated by brute force.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ServerTaggerTests(ServedTestModels models) : IDisposable
{
    private readonly ServerFactory _server = models.CreateServer();

    public void Dispose() => _server.Dispose();

    /// <summary>The reference tagger alone on one sentence: its emissions [T, K] and the tag names by id, as the data writes them.</summary>
    private static (double[,] Emissions, SequenceTagger Model, TaggingVocabularies Vocabularies) Emissions(string checkpoint, string[] tokens)
    {
        LoadedCheckpoint loaded = ModelCheckpoint.Load(checkpoint);
        var model = (SequenceTagger)loaded.Model;
        TaggingVocabularies v = SequenceTaggerTask.VocabulariesOf(loaded);
        TaggedSequences data = v.Encode([new LabelledSentence(tokens, [.. tokens.Select(_ => "_")])], withTags: false);
        var batcher = new TaggingBatcher(data, 1);
        TaggingBatch batch = batcher.CreateBatch();
        batcher.Fill(0, batch);
        model.Evaluate(batch, new int[tokens.Length]);
        int k = model.Config.Tags;
        var e = new double[tokens.Length, k];
        ReadOnlySpan<float> x = model.Emissions.Span;
        for (int t = 0; t < tokens.Length; t++)
            for (int j = 0; j < k; j++) e[t, j] = x[t * k + j];
        return (e, model, v);
    }

    private async Task<JsonElement[]> Tag(string model, params string[] texts)
    {
        JsonElement answer = await (await _server.CreateClient().PostObject($"/v1/models/{model}/tag", new { texts })).Json();
        Assert.Equal(model, answer.GetProperty("model").GetString());
        return [.. answer.GetProperty("results").EnumerateArray()];
    }

    [Fact]
    public async Task ASoftmaxTaggerGivesTheArgMaxAndItsProbability()
    {
        string[] texts = ["the cat sat on the mat", "a dog ran far", "far", "the zebra sat"];
        JsonElement[] results = await Tag("pos", texts);
        for (int i = 0; i < texts.Length; i++)
        {
            string[] tokens = texts[i].Split(' ');
            (double[,] e, _, TaggingVocabularies v) = Emissions(models.PosTaggerCheckpoint, tokens);
            JsonElement[] answer = [.. results[i].GetProperty("tokens").EnumerateArray()];
            Assert.Equal(tokens.Length, answer.Length);
            Assert.False(results[i].TryGetProperty("chunks", out _)); // parts of speech are not chunks
            for (int t = 0; t < tokens.Length; t++)
            {
                int k = e.GetLength(1), best = 0;
                double max = double.NegativeInfinity, sum = 0;
                for (int j = 0; j < k; j++) max = Math.Max(max, e[t, j]);
                for (int j = 0; j < k; j++) sum += Math.Exp(e[t, j] - max);
                for (int j = 1; j < k; j++) if (e[t, j] > e[t, best]) best = j;
                Assert.Equal(tokens[t], answer[t].GetProperty("token").GetString());
                Assert.Equal(v.DataTag(best), answer[t].GetProperty("tag").GetString());
                Assert.Equal(Math.Exp(e[t, best] - max) / sum, answer[t].GetProperty("probability").GetDouble(), 1e-5);
            }
        }
        // The toy grammar is learned.
        Assert.Equal(["DT", "NN", "VBD", "IN", "DT", "NN"], results[0].GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("tag").GetString()));
    }

    [Fact]
    public async Task ACrfTaggerGivesTheBestSequenceAndItsMarginalsWithChunks()
    {
        string[] texts = ["the cat sat on the mat", "a dog ran far", "sat", "on the cat dog"];
        JsonElement[] results = await Tag("chunker", texts);
        for (int i = 0; i < texts.Length; i++)
        {
            string[] tokens = texts[i].Split(' ');
            (double[,] e, SequenceTagger model, TaggingVocabularies v) = Emissions(models.ChunkerCheckpoint, tokens);
            (int[] best, double[] marginals) = BruteForce(e, model);
            JsonElement[] answer = [.. results[i].GetProperty("tokens").EnumerateArray()];
            for (int t = 0; t < tokens.Length; t++)
            {
                Assert.Equal(v.DataTag(best[t]), answer[t].GetProperty("tag").GetString());
                Assert.Equal(marginals[t], answer[t].GetProperty("probability").GetDouble(), 1e-5);
            }
        }
        // BIO tags (the model learned IOBES) and the chunks they mark.
        Assert.Equal(["B-NP", "I-NP", "B-VP", "B-PP", "B-NP", "I-NP"], results[0].GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("tag").GetString()));
        Assert.Equal("""[{"type":"NP","start":0,"end":2,"text":"the cat"},{"type":"VP","start":2,"end":3,"text":"sat"},{"type":"PP","start":3,"end":4,"text":"on"},{"type":"NP","start":4,"end":6,"text":"the mat"}]""",
            results[0].GetProperty("chunks").GetRawText());
        Assert.Equal("""[{"type":"NP","start":0,"end":2,"text":"a dog"},{"type":"VP","start":2,"end":3,"text":"ran"},{"type":"ADVP","start":3,"end":4,"text":"far"}]""",
            results[1].GetProperty("chunks").GetRawText());
    }

    /// <summary>
    /// Every tag sequence of the sentence scored as the CRF scores it (−∞ where the constraints forbid it): the best
    /// one, and the marginal probability of its tag at each token.
    /// </summary>
    private static (int[] Best, double[] Marginals) BruteForce(double[,] e, SequenceTagger model)
    {
        int length = e.GetLength(0), k = e.GetLength(1);
        float[] a = model.Parameters.Single(p => p.Name == "crf.transitions").Value.Span.ToArray();
        float[] start = model.Parameters.Single(p => p.Name == "crf.start").Value.Span.ToArray();
        float[] end = model.Parameters.Single(p => p.Name == "crf.end").Value.Span.ToArray();
        TransitionConstraints? allowed = model.Constraints;
        Assert.NotNull(allowed); // the chunker is constrained
        var scores = new List<(int[] Tags, double Score)>();
        var y = new int[length];
        int total = (int)Math.Pow(k, length);
        for (int code = 0; code < total; code++)
        {
            for (int t = 0, c = code; t < length; t++, c /= k) y[t] = c % k;
            if (!allowed.IsAllowedStart(y[0]) || !allowed.IsAllowedEnd(y[length - 1])) continue;
            double score = start[y[0]] + e[0, y[0]] + end[y[length - 1]];
            bool ok = true;
            for (int t = 1; t < length && ok; t++)
            {
                ok = allowed.IsAllowed(y[t - 1], y[t]);
                score += a[y[t - 1] * k + y[t]] + e[t, y[t]];
            }
            if (ok) scores.Add(((int[])y.Clone(), score));
        }
        double top = scores.Max(s => s.Score);
        double z = scores.Sum(s => Math.Exp(s.Score - top));
        int[] best = scores.First(s => s.Score == top).Tags;
        var marginals = new double[length];
        foreach ((int[] tags, double score) in scores)
            for (int t = 0; t < length; t++)
                if (tags[t] == best[t]) marginals[t] += Math.Exp(score - top) / z;
        return (best, marginals);
    }

    [Fact]
    public async Task TextsOfABatchGetTheAnswersTheyGetAlone()
    {
        // More texts than the tagger's batch (16), of many lengths, with unknown words and spaces of every kind.
        var random = new Recurrent.Tensors.RandomGenerator(31);
        string[] texts = [.. Enumerable.Range(0, 21).Select(i => string.Join(i % 3 == 0 ? "  \t" : " ",
            Enumerable.Range(0, 1 + i % 4).Select(_ => ServedTestModels.Sentence(random)).Append(i % 5 == 0 ? "zebra" : "")))];
        foreach (string model in (string[])["chunker", "pos"])
        {
            JsonElement[] together = await Tag(model, texts);
            for (int i = 0; i < texts.Length; i++)
            {
                JsonElement alone = (await Tag(model, texts[i]))[0];
                string[] tokens = texts[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal(tokens, together[i].GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("token").GetString()));
                Assert.Equal(Tags(alone), Tags(together[i]));
                double[] p = Probabilities(alone), q = Probabilities(together[i]);
                for (int t = 0; t < p.Length; t++) Assert.Equal(p[t], q[t], 1e-5);
            }
        }

        static string?[] Tags(JsonElement r) => [.. r.GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("tag").GetString())];
        static double[] Probabilities(JsonElement r) => [.. r.GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("probability").GetDouble())];
    }

    [Fact]
    public async Task TaggingErrors()
    {
        HttpClient client = _server.CreateClient();
        await (await client.PostObject("/v1/models/chunker/tag", new { texts = new[] { "the cat", " \t " } })).Problem(HttpStatusCode.BadRequest, "texts[1]: the text has no words.");
        await (await client.PostObject("/v1/models/chunker/tag", new { texts = Array.Empty<string>() })).Problem(HttpStatusCode.BadRequest, "'texts' is empty");
        await (await client.Post("/v1/models/chunker/tag", """{"text": "the cat"}""")).Problem(HttpStatusCode.BadRequest, "'text' is not a field");
        await (await client.PostObject("/v1/models/chunker/next", new { text = "the" })).Problem(HttpStatusCode.BadRequest, "Model 'chunker' is a tagger model; 'next' needs a word or char language model. Its actions: tag.");
        await (await client.PostObject("/v1/models/pos/nearest", new { word = "cat" })).Problem(HttpStatusCode.BadRequest, "'nearest' needs word vectors");
        await (await client.PostObject("/v1/models/nope/tag", new { texts = new[] { "x" } })).Problem(HttpStatusCode.NotFound, "No model is named 'nope'");
    }

    [Fact]
    public void TaggersOfFeatureColumnsOrFramesAreRefusedAtLoad()
    {
        var words = new[] { "the", "cat", "sat" };
        List<LabelledSentence> Make() => [.. Enumerable.Range(0, 8).Select(_ => new LabelledSentence(words, ["B-NP", "I-NP", "B-VP"], [["DT", "NN", "VBD"]]))];
        SequenceTaggerConfig config = new()
        {
            WordEmbeddingSize = 4, CharEmbeddingSize = 0, FeatureEmbeddingSize = 3, HiddenSize = 4, Epochs = 1, BatchSize = 8, Seed = 3,
        };
        (SequenceTagger model, TaggingVocabularies v) = SequenceTaggerTask.CreateModel(config, Make(), Make());
        Assert.True(model.Config.UsesFeatures);
        using var dir = new TempDirectory();
        var trainer = new Trainer(new SequenceTaggerTask(model, v, v.Encode(Make()), v.Encode(Make())), new TrainerOptions { RunDirectory = dir.Path }, SilentMonitor.Instance);
        Assert.Equal(TrainingOutcome.Completed, trainer.Run(CancellationToken.None));
        using var serving = new ServingContext(new ServerOptions());
        string message = Assert.Throws<RecurrentException>(() => ModelCatalog.Load([new ModelSpec("features", dir.Path)], serving)).Message;
        Assert.Contains("1 CoNLL feature column(s)", message);
        Assert.Contains("raw text does not have", message);
    }

    [Theory]
    [InlineData(new[] { "B-NP", "I-NP", "B-VP", "O", "I-PP", "B-NP", "B-NP" }, "NP 0 2|VP 2 3|PP 4 5|NP 5 6|NP 6 7")]
    [InlineData(new[] { "I-NP", "I-VP", "I-VP", "O" }, "NP 0 1|VP 1 3")]                            // I- starts a chunk after O or another type
    [InlineData(new[] { "B-NP", "E-NP", "S-VP", "B-NP", "I-NP", "E-NP", "I-NP" }, "NP 0 2|VP 2 3|NP 3 6|NP 6 7")] // IOBES tags as they are
    [InlineData(new[] { "O", "O" }, "")]
    public void ChunksAreReadAsConllevalReadsThem(string[] tags, string expected)
    {
        string[] tokens = [.. tags.Select((_, i) => $"w{i}")];
        IReadOnlyList<TaggedChunk> chunks = TagChunks.Of(tokens, tags);
        Assert.Equal(expected, string.Join("|", chunks.Select(c => $"{c.Type} {c.Start} {c.End}")));
        foreach (TaggedChunk c in chunks) Assert.Equal(string.Join(' ', tokens[c.Start..c.End]), c.Text);
        Assert.Throws<ArgumentException>(() => TagChunks.Of(["a"], ["NN"]));
    }
}
