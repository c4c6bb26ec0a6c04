using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Recurrent.Tests.Server;

/// <summary>Requests and checks shared by the server tests.</summary>
internal static class ServerHttp
{
    public static Task<HttpResponseMessage> Post(this HttpClient client, string path, string json, string contentType = "application/json") =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, contentType));

    public static Task<HttpResponseMessage> PostObject(this HttpClient client, string path, object body) =>
        client.Post(path, JsonSerializer.Serialize(body));

    public static async Task<JsonElement> Json(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>
    /// Asserts an RFC 9457 problem: the status, <c>application/problem+json</c>, a title, and a detail that holds each
    /// of <paramref name="detailParts"/>. Returns the detail.
    /// </summary>
    public static async Task<string> Problem(this HttpResponseMessage response, HttpStatusCode status, params string[] detailParts)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        string detail = problem.GetProperty("detail").GetString()!;
        foreach (string part in detailParts) Assert.Contains(part, detail);
        Assert.DoesNotContain("   at ", detail); // no stack trace
        return detail;
    }

    /// <summary>Reads a server-sent event stream to its end: (event, data) pairs.</summary>
    public static async Task<List<(string Event, JsonElement Data)>> Events(HttpResponseMessage response)
    {
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<(string, JsonElement)>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? name = null, line;
        while ((line = await reader.ReadLineAsync()) is not null)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) events.Add((name!, JsonDocument.Parse(line[6..]).RootElement.Clone()));
        }
        return events;
    }

    public static HttpRequestMessage StreamRequest(string path, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return request;
    }
}
