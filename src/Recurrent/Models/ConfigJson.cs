using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recurrent.Models;

/// <summary>
/// Reading and overlaying the JSON configs of every model kind: errors name the source and line, and an overlay
/// (a preset changed by a <c>--config</c> file) names only what it changes and refuses unknown settings.
/// </summary>
internal static class ConfigJson
{
    /// <summary>Deserializes a config; <paramref name="source"/> names the file in error messages.</summary>
    public static T Read<T>(string json, string source, JsonSerializerOptions options, string what) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, options)
                ?? throw new RecurrentException($"{source}: expected a JSON object of settings, found null.");
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is { } line ? $" (line {line + 1})" : "";
            throw new RecurrentException($"{source}{where}: not a valid {what}: {e.Message}");
        }
    }

    /// <summary>
    /// <paramref name="current"/> with the settings present in the JSON object <paramref name="json"/> replaced;
    /// an unknown name is an error listing the known ones, so a typo is not silently ignored.
    /// </summary>
    public static T Overlay<T>(T current, string json, string source, JsonSerializerOptions options, Func<string, string, T> read)
    {
        JsonElement overrides;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            overrides = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is { } line ? $" (line {line + 1})" : "";
            throw new RecurrentException($"{source}{where}: not valid JSON: {e.Message}");
        }
        if (overrides.ValueKind != JsonValueKind.Object) throw new RecurrentException($"{source}: expected a JSON object of settings.");
        var merged = JsonSerializer.SerializeToNode(current, options)!.AsObject();
        foreach (JsonProperty property in overrides.EnumerateObject())
        {
            if (!merged.ContainsKey(property.Name))
                throw new RecurrentException($"{source}: unknown setting '{property.Name}'. Known settings: {string.Join(", ", merged.Select(p => p.Key))}.");
            merged[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }
        return read(merged.ToJsonString(), source);
    }
}
