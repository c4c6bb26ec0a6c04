using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Recurrent.Server;

/// <summary>
/// Refuses a request body over <see cref="ServerOptions.MaxBodyBytes"/> with 413 and a problem body, whether the
/// client announced its length or streams it in chunks: the body is read into memory up to the limit before any
/// endpoint sees it. (Kestrel's own limit would surface inside JSON binding as a read error without a status; it stays
/// as a backstop, at twice the limit, for requests this middleware does not read.)
/// </summary>
public sealed class RequestBodyLimit(RequestDelegate next, ServingContext serving)
{
    public async Task InvokeAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        int limit = serving.Options.MaxBodyBytes;
        if (request.ContentLength is { } announced && announced > limit)
            throw ApiProblemException.TooLarge($"The body has {announced} bytes; this server takes at most {limit}.");
        if (request.ContentLength is > 0 || (request.ContentLength is null && HttpMethods.IsPost(request.Method)))
        {
            // This middleware is the limit: Kestrel's own counts chunked bytes as they arrive, before they are read,
            // and would answer with its own message and limit.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } kestrelLimit) kestrelLimit.MaxRequestBodySize = null;
            var buffer = new MemoryStream((int)Math.Min(request.ContentLength ?? 4096, limit));
            byte[] chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int read;
                // Never ask for more than one byte past the limit, so that Kestrel's own backstop is never what trips.
                while ((read = await request.Body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, limit + 1 - buffer.Length)), context.RequestAborted)) > 0)
                {
                    if (buffer.Length + read > limit)
                        throw ApiProblemException.TooLarge($"The body is over {limit} bytes, the most this server takes.");
                    buffer.Write(chunk, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
            buffer.Position = 0;
            request.Body = buffer;
            request.ContentLength = buffer.Length;
        }
        await next(context);
    }
}
