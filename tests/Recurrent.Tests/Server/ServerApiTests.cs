using System.Net;
using System.Text.Json;
using Recurrent.Data;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Server;
using Recurrent.Tensors;
using Recurrent.Text;
using Recurrent.Training;

namespace Recurrent.Tests.Server;

/// <summary>
/// Every endpoint on trained checkpoints, each answer checked against the library computed independently (step by
/// step where the server computes in one call).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ServerApiTests(ServedTestModels models) : IDisposable
{
    private readonly ServerFactory _server = models.CreateServer();

    public void Dispose() => _server.Dispose();

    private LanguageModel WordModel => ModelCheckpoint.LoadFileOrRun(models.WordRun).LanguageModel;

    [Fact]
    public async Task ModelsListsNamesKindsSizesLabelsAndActions()
    {
        JsonElement list = await (await _server.CreateClient().GetAsync("/v1/models")).Json();
        JsonElement[] entries = [.. list.GetProperty("models").EnumerateArray()];
        Assert.Equal(ServedTestModels.Names, entries.Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(["word", "char", "classifier", "tagger", "tagger", "vectors"], entries.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(ServedTestModels.Words.Length, entries[0].GetProperty("vocabulary_size").GetInt32());
        Assert.Equal(CharVocabulary.FromJson(ModelCheckpoint.Load(models.CharCheckpoint).VocabularyJson).Count, entries[1].GetProperty("vocabulary_size").GetInt32());
        Assert.Equal(["next", "score", "generate"], entries[0].GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["classify"], entries[2].GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(ServedTestModels.Labels, entries[2].GetProperty("labels").EnumerateArray().Select(a => a.GetString()));
        Assert.False(entries[0].TryGetProperty("labels", out _));
        Assert.False(entries[0].TryGetProperty("dimension", out _));
        Assert.Equal(WordModel.ParameterCount, entries[0].GetProperty("parameters").GetInt64());
        // Taggers: their tags as the data writes them (BIO, though the chunker learned IOBES).
        Assert.Equal(["tag"], entries[3].GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["B-ADVP", "B-NP", "B-PP", "B-VP", "I-NP"], entries[3].GetProperty("labels").EnumerateArray().Select(a => a.GetString()).Order());
        Assert.Equal(["DT", "IN", "NN", "RB", "VBD"], entries[4].GetProperty("labels").EnumerateArray().Select(a => a.GetString()).Order());
        // Word vectors: words, dimension, and their three actions.
        Assert.Equal(models.Vectors.Count, entries[5].GetProperty("vocabulary_size").GetInt32());
        Assert.Equal(6, entries[5].GetProperty("dimension").GetInt32());
        Assert.Equal(6L * models.Vectors.Count, entries[5].GetProperty("parameters").GetInt64());
        Assert.Equal(["nearest", "analogy", "vector"], entries[5].GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task NextGivesTheLibrarysDistributionMostProbableFirst()
    {
        LanguageModel model = WordModel;
        var vocabulary = new Vocabulary(ServedTestModels.Words);
        // After <eos> the cat, as the server reads "the cat".
        var probabilities = new float[vocabulary.Count];
        model.PredictNext([vocabulary.IdOf("<eos>"), vocabulary.IdOf("the"), vocabulary.IdOf("cat")], model.CreateState(1), probabilities);

        JsonElement next = await (await _server.CreateClient().PostObject("/v1/models/words/next", new { text = "the cat", k = 4 })).Json();
        Assert.Equal("words", next.GetProperty("model").GetString());
        JsonElement[] tokens = [.. next.GetProperty("tokens").EnumerateArray()];
        Assert.Equal(4, tokens.Length);
        int[] expected = Enumerable.Range(0, probabilities.Length).OrderByDescending(i => probabilities[i]).ThenBy(i => i).Take(4).ToArray();
        Assert.Equal(expected, tokens.Select(t => t.GetProperty("id").GetInt32()));
        foreach (JsonElement t in tokens)
        {
            int id = t.GetProperty("id").GetInt32();
            Assert.Equal(vocabulary.WordOf(id), t.GetProperty("token").GetString());
            Assert.Equal(probabilities[id], t.GetProperty("probability").GetDouble(), 1e-6);
        }
        // The toy grammar puts "sat" or "ran" after "the cat": a trained model says so.
        Assert.Contains(tokens[0].GetProperty("token").GetString(), (string[])["sat", "ran"]);

        // k above the vocabulary gives the whole distribution, which sums to 1.
        JsonElement all = await (await _server.CreateClient().PostObject("/v1/models/words/next", new { text = "", k = 1000 })).Json();
        Assert.Equal(vocabulary.Count, all.GetProperty("tokens").GetArrayLength());
        Assert.Equal(1.0, all.GetProperty("tokens").EnumerateArray().Sum(t => t.GetProperty("probability").GetDouble()), 1e-5);
    }

    [Fact]
    public async Task NextOnACharModelContinuesCharacters()
    {
        JsonElement next = await (await _server.CreateClient().PostObject("/v1/models/chars/next", new { text = "the ca", k = 1 })).Json();
        Assert.Equal("t", next.GetProperty("tokens")[0].GetProperty("token").GetString());
    }

    [Fact]
    public async Task ScoreIsTheSumOfStepByStepLogProbabilities()
    {
        LanguageModel model = WordModel;
        var vocabulary = new Vocabulary(ServedTestModels.Words);
        string[] texts = ["the cat sat on the mat", "mat the on sat cat the", "a dog ran far"];
        JsonElement score = await (await _server.CreateClient().PostObject("/v1/models/words/score", new { texts })).Json();
        JsonElement[] results = [.. score.GetProperty("results").EnumerateArray()];
        Assert.Equal(texts.Length, results.Length);
        for (int i = 0; i < texts.Length; i++)
        {
            // Reference: feed <eos> w1 … wn one token at a time and add log p of each next word, then of <eos>.
            string[] words = [.. texts[i].Split(' '), "<eos>"];
            RecurrentState state = model.CreateState(1);
            var p = new float[vocabulary.Count];
            double logProbability = 0;
            int previous = vocabulary.IdOf("<eos>");
            foreach (string word in words)
            {
                model.PredictNext([previous], state, p);
                previous = vocabulary.IdOf(word);
                logProbability += Math.Log(p[previous]);
            }
            Assert.Equal(logProbability, results[i].GetProperty("log_probability").GetDouble(), 1e-4);
            Assert.Equal(words.Length, results[i].GetProperty("tokens").GetInt32());
            Assert.Equal(Math.Exp(-logProbability / words.Length), results[i].GetProperty("perplexity").GetDouble(), 1e-3);
        }
        // The model learned the grammar: a grammatical sentence beats its reversal.
        Assert.True(results[0].GetProperty("log_probability").GetDouble() > results[1].GetProperty("log_probability").GetDouble() + 5);
    }

    [Fact]
    public async Task GenerateWholeAndStreamedGiveTheLibrarysText()
    {
        // Reference: the library's generator with the same seed, temperature and top-k.
        LanguageModel model = WordModel;
        var codec = new WordCodec(new Vocabulary(ServedTestModels.Words));
        var expected = new System.Text.StringBuilder();
        new TextGenerator(model).Generate(codec.EncodeContext("the dog", "prime"), 30, new TokenSampler(5, 0.8f, 3), id => expected.Append(codec.Continuation(id)));

        HttpClient client = _server.CreateClient();
        string body = """{"prime": "the dog", "length": 30, "temperature": 0.8, "top_k": 3, "seed": 5}""";
        JsonElement whole = await (await client.Post("/v1/models/words/generate", body)).Json();
        Assert.Equal(expected.ToString(), whole.GetProperty("text").GetString());
        Assert.Equal(30, whole.GetProperty("tokens").GetInt32());
        Assert.Equal("the dog", whole.GetProperty("prime").GetString());

        // "stream": true, and Accept: text/event-stream, each give the same tokens as events, then done.
        foreach (HttpRequestMessage request in (HttpRequestMessage[])[
            ServerHttp.StreamRequest("/v1/models/words/generate", body),
            new(HttpMethod.Post, "/v1/models/words/generate") { Content = new StringContent(body.Replace("}", ", \"stream\": true}"), System.Text.Encoding.UTF8, "application/json") }])
        {
            using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            List<(string Event, JsonElement Data)> events = await ServerHttp.Events(response);
            Assert.Equal(31, events.Count);
            Assert.All(events[..30], e => Assert.Equal("token", e.Event));
            Assert.Equal(expected.ToString(), string.Concat(events[..30].Select(e => e.Data.GetProperty("text").GetString())));
            Assert.Equal("done", events[30].Event);
            Assert.Equal(30, events[30].Data.GetProperty("tokens").GetInt32());
        }
    }

    [Fact]
    public async Task GenerateOnACharModelFollowsTheGrammar()
    {
        JsonElement whole = await (await _server.CreateClient().PostObject("/v1/models/chars/generate", new { prime = "the c", length = 12, greedy = true })).Json();
        Assert.StartsWith("at ", whole.GetProperty("text").GetString());
        JsonElement zero = await (await _server.CreateClient().PostObject("/v1/models/chars/generate", new { length = 0 })).Json();
        Assert.Equal("", zero.GetProperty("text").GetString());
    }

    [Fact]
    public async Task ClassifyGivesEachTextTheLibrarysProbabilities()
    {
        ClassifierCheckpoint checkpoint = ClassifierCheckpoint.From(ModelCheckpoint.Load(models.ClassifierCheckpoint));
        var reference = new TextClassifier(checkpoint.Model, checkpoint.Vocabulary, checkpoint.Labels);
        var random = new RandomGenerator(99);
        var reviews = Enumerable.Range(0, 20).Select(_ => ServedTestModels.Review(random)).ToList();
        string[] texts = [.. reviews.Select(r => r.Text), "", "words it never saw"];
        JsonElement answer = await (await _server.CreateClient().PostObject("/v1/models/sentiment/classify", new { texts })).Json();
        Assert.Equal(ServedTestModels.Labels, answer.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        JsonElement[] results = [.. answer.GetProperty("results").EnumerateArray()];
        Assert.Equal(texts.Length, results.Length);
        var p = new float[2];
        int correct = 0;
        for (int i = 0; i < texts.Length; i++)
        {
            int label = reference.Predict(texts[i], p);
            Assert.Equal(checkpoint.Labels[label], results[i].GetProperty("label").GetString());
            JsonElement probabilities = results[i].GetProperty("probabilities");
            Assert.Equal(p[0], probabilities.GetProperty("neg").GetDouble(), 1e-6);
            Assert.Equal(p[1], probabilities.GetProperty("pos").GetDouble(), 1e-6);
            if (i < reviews.Count && results[i].GetProperty("label").GetString() == reviews[i].Label) correct++;
        }
        Assert.True(correct >= 18, $"only {correct} of 20 generated reviews classified right");
    }

    [Fact]
    public async Task HealthSaysOkWithLoadAndMemory()
    {
        JsonElement health = await (await _server.CreateClient().GetAsync("/healthz")).Json();
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(ServedTestModels.Names.Length, health.GetProperty("models").GetInt32());
        Assert.Equal(Environment.ProcessorCount, health.GetProperty("compute_slots").GetInt32());
        Assert.True(health.GetProperty("working_set_bytes").GetInt64() > 0);
    }

    [Fact]
    public async Task OpenApiDocumentDescribesEveryRouteAndItsBody()
    {
        JsonElement document = await (await _server.CreateClient().GetAsync("/openapi/v1.json")).Json();
        JsonElement paths = document.GetProperty("paths");
        foreach (string action in ModelActions.All.Select(a => a.Name))
            Assert.True(paths.TryGetProperty($"/v1/models/{{name}}/{action}", out JsonElement route) && route.TryGetProperty("post", out _), $"no POST for {action}");
        Assert.True(paths.TryGetProperty("/v1/models", out _));
        Assert.True(paths.TryGetProperty("/healthz", out _));
        Assert.False(paths.TryGetProperty("/", out _)); // the playground is not part of the API
        JsonElement schemas = document.GetProperty("components").GetProperty("schemas");
        JsonElement generate = schemas.GetProperty("GenerateRequest").GetProperty("properties");
        foreach (string field in (string[])["prime", "length", "temperature", "top_k", "seed", "greedy", "stream"])
            Assert.True(generate.TryGetProperty(field, out _), $"GenerateRequest has no '{field}'");
        string next = paths.GetProperty("/v1/models/{name}/next").GetProperty("post").GetRawText();
        Assert.Contains("\"404\"", next);
        Assert.Contains("\"413\"", next);
    }

    [Fact]
    public async Task PlaygroundIsServedFromTheAssembly()
    {
        HttpClient client = _server.CreateClient();
        HttpResponseMessage page = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        string html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"/app.js\"", html);
        Assert.DoesNotContain("https://", html); // no CDN
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        HttpResponseMessage script = await client.GetAsync("/app.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("https://", await script.Content.ReadAsStringAsync());
        Assert.Equal("text/css", (await client.GetAsync("/style.css")).Content.Headers.ContentType?.MediaType);
    }
}
