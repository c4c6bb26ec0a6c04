namespace Recurrent.Data.Labelling;

/// <summary>The file formats of tagging data.</summary>
public enum LabelledFormat
{
    /// <summary>CoNLL column files (CoNLL-2000, CoNLL-2003): <see cref="ConllColumnReader"/>.</summary>
    ConllColumns,

    /// <summary>Universal Dependencies CoNLL-U: <see cref="ConllUReader"/>.</summary>
    ConllU,

    /// <summary>Taskar's OCR <c>letter.data</c>: <see cref="OcrLetterReader"/>.</summary>
    OcrLetters,
}
