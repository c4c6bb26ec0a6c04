using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Recurrent.Server.Models;

namespace Recurrent.Server;

/// <summary>
/// Builds the server: Kestrel, the JSON API, the OpenAPI document (<c>/openapi/v1.json</c>) and the playground,
/// behind the problem-body error handling and the body limit. The command line and the tests build it the same way.
/// </summary>
public static class ServerHost
{
    /// <summary>
    /// A host serving <paramref name="catalog"/>. It stops on SIGTERM or Ctrl-C: Kestrel stops accepting, requests in
    /// flight get <see cref="ServerOptions.DrainTimeout"/> to finish, then their connections are closed (which stops
    /// their generations).
    /// </summary>
    /// <param name="urls">Where Kestrel listens (<c>http://127.0.0.1:5000</c>); null for the tests' own server.</param>
    public static IHostBuilder CreateBuilder(ModelCatalog catalog, ServingContext serving, string? urls = null) =>
        new HostBuilder()
            .UseContentRoot(AppContext.BaseDirectory)
            .ConfigureLogging(logging =>
            {
                logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss ";
                });
                logging.SetMinimumLevel(LogLevel.Warning);
                logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
            })
            .ConfigureServices(services => AddServices(services, catalog, serving))
            .ConfigureWebHost(web =>
            {
                web.UseKestrel(kestrel =>
                {
                    kestrel.AddServerHeader = false;
                    // RequestBodyLimit answers over-limit bodies with a problem body; this is only the backstop.
                    kestrel.Limits.MaxRequestBodySize = 2L * serving.Options.MaxBodyBytes;
                });
                if (urls is not null) web.UseUrls(urls);
                web.Configure(Configure);
            });

    /// <summary>The serializer settings of the API: snake_case names, and unknown or repeated fields refused rather than ignored.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.AllowDuplicateProperties = false; // {"text": "a", "text": "b"} is a mistake, not a choice of the last
    }

    private static void AddServices(IServiceCollection services, ModelCatalog catalog, ServingContext serving)
    {
        services.AddSingleton(catalog);
        services.AddSingleton(serving);
        services.AddSingleton(new RequestLimits(serving.Options));
        services.AddRouting();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = DescribeRouteProblem);
        services.AddExceptionHandler<ProblemExceptionHandler>();
        // Binding failures (malformed JSON, no body, wrong content type) throw, so that they get problem bodies too.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Recurrent";
            document.Info.Description = "Language models (next, score, generate), classifiers (classify), taggers (tag) and word vectors (nearest, analogy, vector).";
            return Task.CompletedTask;
        }));
        services.Configure<HostOptions>(o => o.ShutdownTimeout = serving.Options.DrainTimeout);
    }

    /// <summary>Gives the router's bare 404 and 405 a detail that says what the API has.</summary>
    private static void DescribeRouteProblem(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Detail is not null) return;
        HttpRequest request = context.HttpContext.Request;
        string routes = $"GET /v1/models, POST /v1/models/{{name}}/{{action}} with action one of {string.Join(", ", ModelActions.All.Select(a => a.Name))}, GET /healthz, GET /openapi/v1.json";
        context.ProblemDetails.Detail = context.ProblemDetails.Status switch
        {
            StatusCodes.Status404NotFound => $"There is no {request.Method} {request.Path}. The API: {routes}.",
            StatusCodes.Status405MethodNotAllowed => $"{request.Path} does not take {request.Method}. The API: {routes}.",
            StatusCodes.Status415UnsupportedMediaType => ProblemExceptionHandler.UnsupportedMediaType(request.ContentType),
            _ => null,
        };
    }

    private static void Configure(IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(); // problem bodies for the router's own 404 and 405
        app.UseMiddleware<RequestBodyLimit>();
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapRecurrentApi();
            endpoints.MapOpenApi();
            endpoints.MapPlayground();
        });
    }
}
