using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Recurrent.Server;

/// <summary>
/// The web playground: plain HTML, JavaScript and CSS embedded in this assembly (<c>wwwroot/</c>), served at <c>/</c>.
/// It needs no CDN and no build step, and calls only this server, which its content security policy enforces.
/// </summary>
public static class Playground
{
    private const string Prefix = "wwwroot/";

    /// <summary>Maps <c>GET /</c> to <c>index.html</c> and <c>GET /{file}</c> to every other embedded file.</summary>
    public static IEndpointRouteBuilder MapPlayground(this IEndpointRouteBuilder endpoints)
    {
        Assembly assembly = typeof(Playground).Assembly;
        foreach (string resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            string file = resource[Prefix.Length..];
            byte[] content = Read(assembly, resource);
            string contentType = ContentType(file);
            RequestDelegate serve = async context =>
            {
                context.Response.ContentType = contentType;
                context.Response.Headers.CacheControl = "no-cache";
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:";
                context.Response.ContentLength = content.Length;
                await context.Response.Body.WriteAsync(content, context.RequestAborted);
            };
            endpoints.MapGet("/" + file, serve).ExcludeFromDescription();
            if (file == "index.html") endpoints.MapGet("/", serve).ExcludeFromDescription();
        }
        return endpoints;
    }

    private static byte[] Read(Assembly assembly, string resource)
    {
        using Stream stream = assembly.GetManifestResourceStream(resource)!;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static string ContentType(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };
}
