namespace Recurrent.Server;

/// <summary>
/// Checks a request against the server's limits before any model sees it: sizes over a limit give 413, missing
/// fields and values out of range 400, each naming the field, what was sent and what is accepted.
/// </summary>
public sealed class RequestLimits(ServerOptions options)
{
    public ServerOptions Options { get; } = options;

    /// <summary>A text field: required (<c>null</c> is refused) and at most <see cref="ServerOptions.MaxTextLength"/> characters.</summary>
    public string Text(string? value, string field)
    {
        if (value is null) throw ApiProblemException.BadRequest($"'{field}' is required: a string.");
        if (value.Length > Options.MaxTextLength)
            throw ApiProblemException.TooLarge($"'{field}' has {value.Length} characters; this server takes at most {Options.MaxTextLength}.");
        return value;
    }

    /// <summary>An optional text field: <c>null</c> reads as empty.</summary>
    public string OptionalText(string? value, string field) => value is null ? "" : Text(value, field);

    /// <summary>A batch of texts: 1 to <see cref="ServerOptions.MaxBatchTexts"/>, none null, each within the text limit.</summary>
    public IReadOnlyList<string> Texts(IReadOnlyList<string>? texts)
    {
        if (texts is null) throw ApiProblemException.BadRequest("'texts' is required: an array of strings.");
        if (texts.Count == 0) throw ApiProblemException.BadRequest("'texts' is empty: give at least one text.");
        if (texts.Count > Options.MaxBatchTexts)
            throw ApiProblemException.TooLarge($"'texts' has {texts.Count} texts; this server takes at most {Options.MaxBatchTexts} per call.");
        for (int i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null) throw ApiProblemException.BadRequest($"texts[{i}] is null: every entry must be a string.");
            if (texts[i].Length > Options.MaxTextLength)
                throw ApiProblemException.TooLarge($"texts[{i}] has {texts[i].Length} characters; this server takes at most {Options.MaxTextLength}.");
        }
        return texts;
    }

    /// <summary>A list of words (<c>vector</c>): 1 to <see cref="ServerOptions.MaxBatchTexts"/>, none null, each within the text limit.</summary>
    public IReadOnlyList<string> Words(IReadOnlyList<string>? words)
    {
        if (words is null) throw ApiProblemException.BadRequest("'words' is required: an array of strings.");
        if (words.Count == 0) throw ApiProblemException.BadRequest("'words' is empty: give at least one word.");
        if (words.Count > Options.MaxBatchTexts)
            throw ApiProblemException.TooLarge($"'words' has {words.Count} words; this server takes at most {Options.MaxBatchTexts} per call.");
        for (int i = 0; i < words.Count; i++)
        {
            if (words[i] is null) throw ApiProblemException.BadRequest($"words[{i}] is null: every entry must be a string.");
            if (words[i].Length > Options.MaxTextLength)
                throw ApiProblemException.TooLarge($"words[{i}] has {words[i].Length} characters; this server takes at most {Options.MaxTextLength}.");
        }
        return words;
    }

    /// <summary>A count of candidates: 1 to <see cref="ServerOptions.MaxTopK"/>.</summary>
    public int K(int k)
    {
        if (k < 1 || k > Options.MaxTopK) throw ApiProblemException.BadRequest($"'k' must be between 1 and {Options.MaxTopK}, got {k}.");
        return k;
    }

    /// <summary>The sampling parameters of <c>generate</c>.</summary>
    public void Generation(int length, float temperature, int topK)
    {
        if (length < 0 || length > Options.MaxGenerateLength)
            throw ApiProblemException.BadRequest($"'length' must be between 0 and {Options.MaxGenerateLength} tokens, got {length}.");
        if (!(temperature > 0) || !float.IsFinite(temperature))
            throw ApiProblemException.BadRequest($"'temperature' must be a positive number, got {temperature}.");
        if (topK < 0) throw ApiProblemException.BadRequest($"'top_k' must be 0 (all tokens) or positive, got {topK}.");
    }
}
