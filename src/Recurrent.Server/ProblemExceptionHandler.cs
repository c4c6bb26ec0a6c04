using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Recurrent.Server;

/// <summary>
/// Turns every failure of a request into an RFC 9457 problem body: the server's own refusals
/// (<see cref="ApiProblemException"/>), bad input found by the library (<see cref="RecurrentException"/>: 400), and
/// what ASP.NET Core finds while reading the request (malformed JSON, an unknown field, no body, a wrong content
/// type). A request whose client has gone gets nothing. Anything else is a 500 whose detail gives no internals.
/// </summary>
public sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellation)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested) return true;
        (int status, string title, string detail) = exception switch
        {
            ApiProblemException e => (e.Status, e.Title, e.Message),
            RecurrentException e => (StatusCodes.Status400BadRequest, "Bad request", e.Message),
            BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } e =>
                (e.StatusCode, Title(e.StatusCode), UnsupportedMediaType(context.Request.ContentType)),
            BadHttpRequestException e => (e.StatusCode, Title(e.StatusCode), Describe(e)),
            _ => (StatusCodes.Status500InternalServerError, "Internal error", "The server failed on this request; its log has the details."),
        };
        if (status >= 500) logger.LogError(exception, "Request {Method} {Path} failed", context.Request.Method, context.Request.Path);
        if (context.Response.HasStarted) return true; // a streamed response reports its own errors in-band
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    private static string Title(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "Content too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        _ => "Bad request",
    };

    /// <summary>The detail of a 415, whether ASP.NET Core threw it or only set the status.</summary>
    internal static string UnsupportedMediaType(string? contentType) =>
        $"The body must be JSON sent as Content-Type: application/json; {(string.IsNullOrEmpty(contentType) ? "this request has no Content-Type" : $"this one is '{contentType}'")}.";

    /// <summary>What was wrong with the request as read, in the client's terms rather than .NET's.</summary>
    private static string Describe(BadHttpRequestException e)
    {
        if (e.Message.StartsWith("Implicit body inferred", StringComparison.Ordinal) || e.Message.StartsWith("Required parameter", StringComparison.Ordinal))
            return "The request needs a JSON object as its body (Content-Type: application/json).";
        if (e.InnerException is not JsonException json) return RequestParameter().Replace(e.Message, "the request body");
        string message = UnknownMember().Replace(json.Message, "is not a field of this request.");
        message = RequestType().Replace(message, m => m.Value.StartsWith("of type", StringComparison.Ordinal) ? "of the request" : "a JSON object");
        message = ClrType().Replace(message, m => m.Value switch
        {
            "System.Int32" or "System.Int64" => "an integer",
            "System.UInt64" => "a non-negative integer",
            "System.Single" or "System.Double" => "a number",
            "System.Boolean" => "true or false",
            "System.String" => "a string",
            var t when t.Contains("IReadOnlyList", StringComparison.Ordinal) => "an array of strings",
            _ => "the field's type",
        });
        return "The body is not valid JSON for this request: " + message;
    }

    // "The JSON property 'lenght' could not be mapped to any .NET member contained in type 'Recurrent.Server.Api.GenerateRequest'."
    [GeneratedRegex(@"could not be mapped to any \.NET member contained in type '[^']*'\.")]
    private static partial Regex UnknownMember();

    // "The JSON value could not be converted to System.Int32." and the like.
    [GeneratedRegex(@"System(\.\w+)+(`1\[[\w.]+\])?")]
    private static partial Regex ClrType();

    // "The JSON value could not be converted to Recurrent.Server.Api.NextRequest." (an array or a number as the body)
    [GeneratedRegex(@"(of type )?'?Recurrent\.Server\.Api\.\w+'?")]
    private static partial Regex RequestType();

    // "Failed to read parameter "NextRequest request" from the request body as JSON."
    [GeneratedRegex(@"parameter ""\w+ request"" from the request body")]
    private static partial Regex RequestParameter();
}
