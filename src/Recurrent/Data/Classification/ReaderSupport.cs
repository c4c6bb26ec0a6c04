namespace Recurrent.Data.Classification;

/// <summary>Checks shared by the readers.</summary>
internal static class ReaderSupport
{
    /// <summary>The bytes of <paramref name="path"/>; a read failure becomes a <see cref="RecurrentException"/> naming it.</summary>
    public static byte[] ReadAllBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecurrentException($"Cannot read '{path}': {e.Message}", e);
        }
    }

    /// <summary>An example with its label trimmed.</summary>
    /// <exception cref="RecurrentException">The text is empty or white space, or the label is empty; the message starts with <paramref name="source"/>.</exception>
    public static LabeledText Example(string text, string label, string source)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new RecurrentException($"{source}: the text is empty.");
        label = label.Trim();
        if (label.Length == 0)
            throw new RecurrentException($"{source}: the label is empty.");
        return new LabeledText(text, label, source);
    }
}
