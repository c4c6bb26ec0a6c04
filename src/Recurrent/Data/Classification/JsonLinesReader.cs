using System.Globalization;
using System.Text.Json;

namespace Recurrent.Data.Classification;

/// <summary>
/// Reads JSON Lines: one JSON object per line with a string text field and a string or number label field
/// (a number label is kept as written, so <c>1</c> and <c>1.0</c> are different labels). Blank lines are skipped;
/// other fields are ignored.
/// </summary>
internal static class JsonLinesReader
{
    /// <summary>A key twice in one object is refused: which of the two texts or labels was meant cannot be told.</summary>
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    public static List<LabeledText> Read(string path, ClassificationReadOptions options)
    {
        byte[] bytes = ReaderSupport.ReadAllBytes(path);
        StrictUtf8.Validate(bytes, path);
        ReadOnlyMemory<byte> rest = bytes.AsMemory(StrictUtf8.BomLength(bytes));
        var examples = new List<LabeledText>();
        for (int line = 1; !rest.IsEmpty; line++)
        {
            int end = rest.Span.IndexOf((byte)'\n');
            ReadOnlyMemory<byte> current = end < 0 ? rest : rest[..end];
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            if (current.Span.Trim(" \t\r"u8).IsEmpty) continue;

            string source = $"{path}:{line}";
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(current, Options);
            }
            catch (JsonException e)
            {
                // The message's own position counts lines of this one line from 0; keep the column only.
                string reason = e.Message.Split(" LineNumber:")[0].TrimEnd();
                throw new RecurrentException($"{source}: not a JSON object: {reason} (at byte {e.BytePositionInLine + 1} of the line)", e);
            }
            catch (InvalidOperationException e)
            {
                // The duplicate-key check unescapes every property name, and a name holding an escaped lone surrogate
                // ("\ud83e" with no low half) fails there with this exception rather than a JsonException.
                throw new RecurrentException($"{source}: not a JSON object: a property name is not valid text ({e.Message})", e);
            }
            using (document)
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    throw new RecurrentException($"{source}: a JSON {root.ValueKind} where an object with '{options.TextField}' and '{options.LabelField}' was expected.");
                string text = Field(root, options.TextField, "--text-column", source, allowNumber: false);
                string label = Field(root, options.LabelField, "--label-column", source, allowNumber: true);
                examples.Add(ReaderSupport.Example(text, label, source));
            }
        }
        return examples;
    }

    private static string Field(JsonElement root, string name, string option, string source, bool allowNumber)
    {
        if (!root.TryGetProperty(name, out JsonElement value))
        {
            var names = new List<string>();
            foreach (JsonProperty p in root.EnumerateObject()) names.Add(p.Name);
            throw new RecurrentException($"{source}: the object has no field '{name}' (its fields: {string.Join(", ", names)}); choose one with {option}.");
        }
        return value.ValueKind switch
        {
            JsonValueKind.String => StringOf(value, name, source),
            JsonValueKind.Number when allowNumber => value.GetRawText(),
            _ => throw new RecurrentException(
                $"{source}: the field '{name}' is a JSON {value.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture)}, expected a string{(allowNumber ? " or a number" : "")}."),
        };
    }

    private static string StringOf(JsonElement value, string name, string source)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException e) // an escaped lone surrogate, which no UTF-16 string may hold
        {
            throw new RecurrentException($"{source}: the field '{name}' is not valid text: {e.Message}", e);
        }
    }
}
