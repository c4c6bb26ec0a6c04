using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Recurrent.Server.Api;
using Recurrent.Server.Models;

namespace Recurrent.Server;

/// <summary>
/// A generation sent as server-sent events, each flushed as soon as its token is drawn: <c>token</c>
/// (<see cref="GeneratedToken"/>) per token, then <c>done</c> (<see cref="GenerationDone"/>), or <c>error</c> (a problem
/// body) if it fails after the stream has begun. When the client goes away the request is aborted, and the
/// generation stops before drawing another token.
/// </summary>
public sealed class GenerationEventStream(string model, Generation generation, JsonSerializerOptions json) : IResult
{
    public async Task ExecuteAsync(HttpContext context)
    {
        using (generation)
        {
            CancellationToken aborted = context.RequestAborted;
            HttpResponse response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no"; // tell proxies such as nginx not to hold events back
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            int count = 0;
            try
            {
                await response.StartAsync(aborted);
                await foreach (GeneratedToken token in generation.Tokens(aborted))
                {
                    await WriteEventAsync(response, "token", JsonSerializer.Serialize(token, json), aborted);
                    count++;
                }
                await WriteEventAsync(response, "done", JsonSerializer.Serialize(new GenerationDone(count), json), aborted);
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client left (or the server gave up draining): nobody is reading any more.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var problem = new ProblemDetails
                {
                    Status = e is RecurrentException ? StatusCodes.Status400BadRequest : StatusCodes.Status500InternalServerError,
                    Title = "Generation failed",
                    Detail = e is RecurrentException ? e.Message : $"The generation of model '{model}' failed after {count} tokens.",
                };
                await WriteEventAsync(response, "error", JsonSerializer.Serialize(problem, json), CancellationToken.None);
            }
        }
    }

    private static async Task WriteEventAsync(HttpResponse response, string name, string data, CancellationToken cancellation)
    {
        await response.WriteAsync($"event: {name}\ndata: {data}\n\n", cancellation);
        await response.Body.FlushAsync(cancellation);
    }
}
