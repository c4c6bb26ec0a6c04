namespace Recurrent.Data;

/// <summary>The layouts <see cref="WordVectorsFile"/> reads.</summary>
public enum WordVectorsFormat
{
    /// <summary>word2vec text: a header line <c>WORDS DIMENSION</c>, then per line a word and its numbers, separated by spaces.</summary>
    Word2VecText,

    /// <summary>word2vec binary: the same header, then per word its UTF-8 bytes, a space, DIMENSION little-endian float32 and a line feed.</summary>
    Word2VecBinary,

    /// <summary>GloVe text: word2vec text without the header.</summary>
    GloVeText,
}
