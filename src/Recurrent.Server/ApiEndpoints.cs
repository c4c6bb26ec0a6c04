using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Recurrent.Server.Api;
using Recurrent.Server.Models;

namespace Recurrent.Server;

/// <summary>
/// The JSON API: <c>GET /healthz</c>, <c>GET /v1/models</c> and <c>POST /v1/models/{name}/{action}</c> for every action
/// of <see cref="ModelActions"/>. Each handler finds the model by name (404), checks it answers the action (400),
/// checks the limits (400/413), then lets the model compute.
/// </summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapRecurrentApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", Health).WithTags("server").WithSummary("Liveness, load and memory.");
        RouteGroupBuilder v1 = endpoints.MapGroup("/v1").WithTags("models");
        v1.MapGet("/models", (ModelCatalog catalog) => TypedResults.Ok(new ModelList(catalog.Models.Select(m => m.Info).ToArray())))
            .WithSummary("The served models: names, kinds, vocabulary sizes, labels and actions.");

        RouteGroupBuilder model = v1.MapGroup("/models/{name}")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        model.MapPost("/next", Next).WithSummary("The k most probable next tokens after a text (language models).");
        model.MapPost("/score", Score).WithSummary("Each text's log-probability and perplexity (language models).");
        model.MapPost("/generate", Generate)
            .Produces<GenerateResponse>(StatusCodes.Status200OK, "application/json", "text/event-stream")
            .WithSummary("Text from a prime (language models): whole, or streamed as server-sent events (token, done, error).");
        model.MapPost("/classify", Classify).WithSummary("The label and class probabilities of each text (classifiers).");
        model.MapPost("/tag", Tag).WithSummary("A tag per token of each text (taggers).");
        model.MapPost("/nearest", Nearest).WithSummary("The k words nearest a word by cosine similarity (word vectors); 404 for a word without a vector.");
        model.MapPost("/analogy", Analogy).WithSummary("a is to b as c is to …: the k words nearest b − a + c (word vectors); 404 for a word without a vector.");
        model.MapPost("/vector", Vector).WithSummary("The vector of a word, or of each of several words (word vectors).");
        return endpoints;
    }

    private static IResult Health(ModelCatalog catalog, ServingContext serving, IHostApplicationLifetime lifetime)
    {
        bool stopping = lifetime.ApplicationStopping.IsCancellationRequested;
        using var process = Process.GetCurrentProcess();
        var body = new HealthResponse(stopping ? "stopping" : "ok", catalog.Models.Count, serving.Gate.Slots, serving.Gate.Busy, serving.Gate.Waiting,
            serving.Status.ActiveGenerations, serving.Status.GeneratedTokens, process.WorkingSet64, GC.GetTotalMemory(false),
            process.TotalProcessorTime.TotalSeconds, (long)serving.Status.Uptime.TotalSeconds, serving.Status.Next);
        return stopping ? TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable) : TypedResults.Ok(body);
    }

    private static async Task<Ok<NextResponse>> Next(string name, NextRequest request, ModelCatalog catalog, RequestLimits limits, HttpContext http)
    {
        INextTokenModel model = catalog.Get<INextTokenModel>(name, "next");
        string text = limits.Text(request.Text, "text");
        return TypedResults.Ok(await model.NextAsync(text, limits.K(request.K), http.RequestAborted));
    }

    private static async Task<Ok<ScoreResponse>> Score(string name, ScoreRequest request, ModelCatalog catalog, RequestLimits limits, HttpContext http)
    {
        IScoringModel model = catalog.Get<IScoringModel>(name, "score");
        return TypedResults.Ok(await model.ScoreAsync(limits.Texts(request.Texts), http.RequestAborted));
    }

    private static async Task<IResult> Generate(string name, GenerateRequest request, ModelCatalog catalog, RequestLimits limits,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, HttpContext http)
    {
        IGeneratingModel model = catalog.Get<IGeneratingModel>(name, "generate");
        limits.OptionalText(request.Prime, "prime");
        limits.Generation(request.Length, request.Temperature, request.TopK);
        bool stream = request.Stream || http.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase);
        Generation generation = await model.StartAsync(request, http.RequestAborted);
        if (stream) return new GenerationEventStream(name, generation, json.Value.SerializerOptions);
        using (generation)
        {
            var text = new System.Text.StringBuilder();
            int count = 0;
            await foreach (GeneratedToken token in generation.Tokens(http.RequestAborted))
            {
                text.Append(token.Text);
                count++;
            }
            return TypedResults.Ok(new GenerateResponse(name, generation.Prime, text.ToString(), count));
        }
    }

    private static async Task<Ok<ClassifyResponse>> Classify(string name, ClassifyRequest request, ModelCatalog catalog, RequestLimits limits, HttpContext http)
    {
        IClassifyingModel model = catalog.Get<IClassifyingModel>(name, "classify");
        return TypedResults.Ok(await model.ClassifyAsync(limits.Texts(request.Texts), http.RequestAborted));
    }

    private static async Task<Ok<TagResponse>> Tag(string name, TagRequest request, ModelCatalog catalog, RequestLimits limits, HttpContext http)
    {
        ITaggingModel model = catalog.Get<ITaggingModel>(name, "tag");
        return TypedResults.Ok(await model.TagAsync(limits.Texts(request.Texts), http.RequestAborted));
    }

    private static async Task<Ok<NeighboursResponse>> Nearest(string name, NearestRequest request, ModelCatalog catalog, RequestLimits limits, HttpContext http)
    {
        IWordVectorModel model = catalog.Get<IWordVectorModel>(name, "nearest");
        return TypedResults.Ok(await model.NearestAsync(limits.Text(request.Word, "word"), limits.K(request.K), http.RequestAborted));
    }

    private static async Task<Ok<NeighboursResponse>> Analogy(string name, AnalogyRequest request, ModelCatalog catalog, RequestLimits limits, HttpContext http)
    {
        IWordVectorModel model = catalog.Get<IWordVectorModel>(name, "analogy");
        return TypedResults.Ok(await model.AnalogyAsync(limits.Text(request.A, "a"), limits.Text(request.B, "b"), limits.Text(request.C, "c"),
            limits.K(request.K), http.RequestAborted));
    }

    private static async Task<Ok<VectorResponse>> Vector(string name, VectorRequest request, ModelCatalog catalog, RequestLimits limits, HttpContext http)
    {
        IWordVectorModel model = catalog.Get<IWordVectorModel>(name, "vector");
        if ((request.Word is null) == (request.Words is null))
            throw ApiProblemException.BadRequest("Give either 'word' (a string) or 'words' (an array of strings), not both and not neither.");
        IReadOnlyList<string> words = request.Word is not null ? [limits.Text(request.Word, "word")] : limits.Words(request.Words);
        IReadOnlyList<WordVector> vectors = await model.VectorsAsync(words, http.RequestAborted);
        int dimension = vectors[0].Vector.Count;
        return TypedResults.Ok(request.Word is not null
            ? new VectorResponse(name, dimension, vectors[0].Word, vectors[0].Vector, null)
            : new VectorResponse(name, dimension, null, null, vectors));
    }
}
