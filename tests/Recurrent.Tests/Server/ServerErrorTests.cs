using System.Net;
using Recurrent.Server;

namespace Recurrent.Tests.Server;

/// <summary>
/// Every refusal: malformed or unexpected bodies, unknown models and routes, the wrong kind of model, and each
/// limit. Each answers with its status and an RFC 9457 problem body whose detail says what was wrong.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ServerErrorTests(ServedTestModels models) : IDisposable
{
    private static readonly ServerOptions Limits = new()
    {
        MaxTextLength = 50, MaxGenerateLength = 100, MaxBatchTexts = 3, MaxBodyBytes = 400, MaxTopK = 20,
    };

    private readonly ServerFactory _server = models.CreateServer(Limits);

    public void Dispose() => _server.Dispose();

    private HttpClient Client => _server.CreateClient();

    [Theory]
    [InlineData("""{"text": "the cat", """, "not valid JSON", "end of data")]
    [InlineData("""{"text": "the cat", "kk": 3}""", "'kk' is not a field of this request")]
    [InlineData("""{"text": "the cat", "k": "three"}""", "could not be converted to an integer", "$.k")]
    [InlineData("""{"text": 7}""", "could not be converted to a string", "$.text")]
    [InlineData("""[1, 2]""", "could not be converted to a JSON object")]
    [InlineData("""{"text": "a", "text": "the"}""", "Duplicate", "'text'")]
    [InlineData("""null""", "needs a JSON object as its body")]
    public async Task MalformedJsonIs400(string body, params string[] detail) =>
        await (await Client.Post("/v1/models/words/next", body)).Problem(HttpStatusCode.BadRequest, detail);

    [Fact]
    public async Task MissingOrUnexpectedBodies()
    {
        await (await Client.Post("/v1/models/words/next", "")).Problem(HttpStatusCode.BadRequest, "needs a JSON object as its body");
        await (await Client.Post("/v1/models/words/next", "text=the", "application/x-www-form-urlencoded")).Problem(HttpStatusCode.UnsupportedMediaType,
            "must be JSON", "this one is 'application/x-www-form-urlencoded");
        var noType = new ByteArrayContent("""{"text": "the"}"""u8.ToArray());
        await (await Client.PostAsync("/v1/models/words/next", noType)).Problem(HttpStatusCode.UnsupportedMediaType, "must be JSON", "this request has no Content-Type");
        await (await Client.Post("/v1/models/words/next", "{}")).Problem(HttpStatusCode.BadRequest, "'text' is required");
        await (await Client.Post("/v1/models/words/score", "{}")).Problem(HttpStatusCode.BadRequest, "'texts' is required");
        await (await Client.Post("/v1/models/words/score", """{"texts": []}""")).Problem(HttpStatusCode.BadRequest, "'texts' is empty");
        await (await Client.Post("/v1/models/words/score", """{"texts": ["a", null]}""")).Problem(HttpStatusCode.BadRequest, "texts[1] is null");
        await (await Client.Post("/v1/models/words/score", """{"texts": "the cat"}""")).Problem(HttpStatusCode.BadRequest, "array of strings");
    }

    [Fact]
    public async Task UnknownModelsAndRoutesAre404()
    {
        await (await Client.PostObject("/v1/models/nope/next", new { text = "x" })).Problem(HttpStatusCode.NotFound, "No model is named 'nope'", "words, chars, sentiment");
        // A model name is a key, never a path: traversal attempts are just unknown names.
        await (await Client.PostObject("/v1/models/..%2F..%2Fetc%2Fpasswd/next", new { text = "x" })).Problem(HttpStatusCode.NotFound, "No model is named '..%2F..%2Fetc%2Fpasswd'");
        await (await Client.PostObject($"/v1/models/{Uri.EscapeDataString(models.CharCheckpoint)}/next", new { text = "x" })).Problem(HttpStatusCode.NotFound, "No model is named");
        await (await Client.PostObject("/v1/models/words/translate", new { text = "x" })).Problem(HttpStatusCode.NotFound, "There is no POST /v1/models/words/translate", "next, score, generate");
        await (await Client.GetAsync("/v2/models")).Problem(HttpStatusCode.NotFound, "There is no GET /v2/models");
        await (await Client.GetAsync("/v1/models/words/next")).Problem(HttpStatusCode.MethodNotAllowed, "does not take GET");
    }

    [Theory]
    [InlineData("sentiment", "next", """{"text": "x"}""", "is a classifier model; 'next' needs a word or char language model. Its actions: classify.")]
    [InlineData("sentiment", "score", """{"texts": ["x"]}""", "'score' needs a word or char language model")]
    [InlineData("sentiment", "generate", """{"prime": "x"}""", "'generate' needs a word or char language model")]
    [InlineData("words", "classify", """{"texts": ["x"]}""", "is a word model; 'classify' needs a classifier. Its actions: next, score, generate.")]
    [InlineData("chars", "tag", """{"texts": ["x"]}""", "'tag' needs a tagger")]
    [InlineData("words", "nearest", """{"word": "cat"}""", "'nearest' needs word vectors")]
    [InlineData("words", "analogy", """{"a": "a", "b": "b", "c": "c"}""", "'analogy' needs word vectors")]
    [InlineData("sentiment", "vector", """{"word": "good"}""", "'vector' needs word vectors")]
    public async Task TheWrongKindOfModelIs400(string model, string action, string body, string detail) =>
        await (await Client.Post($"/v1/models/{model}/{action}", body)).Problem(HttpStatusCode.BadRequest, $"Model '{model}'", detail);

    [Fact]
    public async Task SizesOverTheLimitsAre413()
    {
        string longText = new('a', 51);
        await (await Client.PostObject("/v1/models/words/next", new { text = longText })).Problem(HttpStatusCode.RequestEntityTooLarge, "'text' has 51 characters", "at most 50");
        await (await Client.PostObject("/v1/models/words/generate", new { prime = longText })).Problem(HttpStatusCode.RequestEntityTooLarge, "'prime' has 51 characters");
        await (await Client.PostObject("/v1/models/sentiment/classify", new { texts = new[] { "a", "b", "c", "d" } })).Problem(HttpStatusCode.RequestEntityTooLarge, "'texts' has 4 texts", "at most 3");
        await (await Client.PostObject("/v1/models/words/score", new { texts = new[] { "a", longText } })).Problem(HttpStatusCode.RequestEntityTooLarge, "texts[1] has 51 characters");
        // The body limit, announced (Content-Length) or streamed in chunks with no length.
        string big = $$"""{"text": "{{new string('a', 500)}}"}""";
        await (await Client.Post("/v1/models/words/next", big)).Problem(HttpStatusCode.RequestEntityTooLarge, "The body has", "at most 400");
        // (The in-memory test server measures every body; the chunked case runs on Kestrel in ServerLifetimeTests.)
    }

    [Theory]
    [InlineData("next", """{"text": "the", "k": 0}""", "'k' must be between 1 and 20, got 0")]
    [InlineData("next", """{"text": "the", "k": 21}""", "'k' must be between 1 and 20, got 21")]
    [InlineData("generate", """{"length": 101}""", "'length' must be between 0 and 100 tokens, got 101")]
    [InlineData("generate", """{"length": -1}""", "'length' must be between 0 and 100 tokens, got -1")]
    [InlineData("generate", """{"temperature": 0}""", "'temperature' must be a positive number, got 0")]
    [InlineData("generate", """{"temperature": -2.5}""", "'temperature' must be a positive number")]
    [InlineData("generate", """{"top_k": -1}""", "'top_k' must be 0 (all tokens) or positive, got -1")]
    [InlineData("generate", """{"seed": -1}""", "could not be converted to a non-negative integer", "$.seed")]
    [InlineData("score", """{"texts": ["   "]}""", "texts[0]: the text has no words.")]
    public async Task ParametersOutOfRangeAre400(string action, string body, params string[] detail) =>
        await (await Client.Post($"/v1/models/words/{action}", body)).Problem(HttpStatusCode.BadRequest, detail);

    [Fact]
    public async Task TextTheModelCannotReadIs400()
    {
        await (await Client.PostObject("/v1/models/chars/next", new { text = "the cat€" })).Problem(HttpStatusCode.BadRequest, "text: the character '€' (U+20AC)");
        await (await Client.PostObject("/v1/models/chars/generate", new { prime = "Zebra" })).Problem(HttpStatusCode.BadRequest, "prime: the character 'Z'");
        await (await Client.PostObject("/v1/models/chars/score", new { texts = new[] { "" } })).Problem(HttpStatusCode.BadRequest, "texts[0]: the text is empty.");
        await (await Client.Post("/v1/models/chars/next", """{"text": "a\ud800b"}""")).Problem(HttpStatusCode.BadRequest);
    }
}
