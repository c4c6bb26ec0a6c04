using Microsoft.AspNetCore.Http;

namespace Recurrent.Server;

/// <summary>
/// A request the server refuses: the status (400, 404, 413…), a short title and a detail that says what was wrong,
/// sent as an RFC 9457 problem body by <see cref="ProblemExceptionHandler"/>.
/// </summary>
public sealed class ApiProblemException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;

    /// <summary>400: a parameter out of range, a missing field, the wrong kind of model.</summary>
    public static ApiProblemException BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "Bad request", detail);

    /// <summary>404: no model of that name.</summary>
    public static ApiProblemException NotFound(string detail) => new(StatusCodes.Status404NotFound, "Not found", detail);

    /// <summary>413: a text, a batch or a body over the server's limit.</summary>
    public static ApiProblemException TooLarge(string detail) => new(StatusCodes.Status413PayloadTooLarge, "Content too large", detail);
}
