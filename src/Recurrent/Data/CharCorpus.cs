namespace Recurrent.Data;

/// <summary>
/// A text for a character-level model: its character vocabulary and the text as ids, split into a training
/// part and a validation part taken from the end (so validation is text the model has not seen, not a
/// random sample of overlapping snippets).
/// </summary>
public sealed class CharCorpus
{
    /// <summary>The default share of the text kept for validation.</summary>
    public const double DefaultValidFraction = 0.1;

    private CharCorpus(string source, CharVocabulary vocabulary, int[] train, int[] valid)
    {
        Source = source;
        Vocabulary = vocabulary;
        Train = train;
        Valid = valid;
    }

    /// <summary>Where the text came from.</summary>
    public string Source { get; }

    /// <summary>The characters of the text, ordered as the model's token ids.</summary>
    public CharVocabulary Vocabulary { get; }

    /// <summary>Character ids of the first <c>1 − validFraction</c> of the text.</summary>
    public int[] Train { get; }

    /// <summary>Character ids of the last <c>validFraction</c> of the text.</summary>
    public int[] Valid { get; }

    /// <summary>Characters in the whole text.</summary>
    public int Length => Train.Length + Valid.Length;

    /// <summary>Reads a UTF-8 text file strictly (see <see cref="Utf8TextFile"/>) and splits it.</summary>
    /// <param name="vocabulary">The vocabulary to use (a checkpoint's, to resume); null builds it from the text.</param>
    /// <param name="minCount">When building the vocabulary: characters seen fewer times map to <see cref="CharVocabulary.UnknownSymbol"/>.</param>
    public static CharCorpus Load(string path, double validFraction = DefaultValidFraction, int minCount = 1, CharVocabulary? vocabulary = null) =>
        FromText(Utf8TextFile.Read(path), path, validFraction, minCount, vocabulary);

    /// <summary>Splits a text held in memory; <paramref name="source"/> names it in errors.</summary>
    public static CharCorpus FromText(string text, string source, double validFraction = DefaultValidFraction, int minCount = 1, CharVocabulary? vocabulary = null)
    {
        if (!(validFraction > 0 && validFraction < 1))
            throw new RecurrentException($"The validation fraction must be between 0 and 1 (exclusive), got {validFraction}.");
        vocabulary ??= CharVocabulary.FromText(text, minCount, source);
        int[] ids = vocabulary.Encode(text, mapUnknown: true, source);
        int validLength = (int)(ids.Length * validFraction);
        if (validLength < 2 || ids.Length - validLength < 2)
            throw new RecurrentException(
                $"{source} has {ids.Length} characters: too few to keep {validFraction:P0} for validation and train on the rest.");
        int trainLength = ids.Length - validLength;
        return new CharCorpus(source, vocabulary, ids[..trainLength], ids[trainLength..]);
    }
}
