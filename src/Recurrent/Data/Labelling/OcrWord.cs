namespace Recurrent.Data.Labelling;

/// <summary>
/// One handwritten word of Taskar's OCR set: a 16×8 binary image per letter and the letters (a–z; the word's first,
/// capital letter was removed from the data set).
/// </summary>
/// <param name="WordId">The word's id in the file (1-based).</param>
/// <param name="Fold">The cross-validation fold, 0–9, of <c>letter.data</c>; −1 for files without the column.</param>
/// <param name="Letters">The label of each letter, in order.</param>
/// <param name="Pixels">[Letters.Length, 128] floats, 0 or 1 (1 = ink), each image row-major, 16 rows of 8.</param>
/// <param name="Source">The file it was read from.</param>
/// <param name="Line">The 1-based line of its first letter.</param>
public sealed record OcrWord(int WordId, int Fold, string Letters, float[] Pixels, string Source, int Line)
{
    /// <summary>Image rows per letter.</summary>
    public const int Height = 16;

    /// <summary>Image columns per letter.</summary>
    public const int Width = 8;

    /// <summary>Floats per letter frame, 16 × 8.</summary>
    public const int FrameSize = Height * Width;

    /// <summary>Number of letters.</summary>
    public int Length => Letters.Length;

    /// <summary>The word as a frame sequence: one 128-float frame and one single-letter tag per letter.</summary>
    public LabelledSentence ToSentence()
    {
        var tags = new string[Letters.Length];
        for (int i = 0; i < tags.Length; i++) tags[i] = Tag(Letters[i]);
        return new LabelledSentence(Pixels, FrameSize, tags, Source, Line);
    }

    // One shared string per ASCII letter, instead of one per letter of every word.
    private static readonly string[] AsciiTags = Enumerable.Range(0, 128).Select(c => ((char)c).ToString()).ToArray();

    private static string Tag(char c) => c < 128 ? AsciiTags[c] : c.ToString();
}
