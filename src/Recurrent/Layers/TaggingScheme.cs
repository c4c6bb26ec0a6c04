namespace Recurrent.Layers;

/// <summary>How chunk tags mark the spans they label (tags are <c>PREFIX-TYPE</c>, e.g. <c>B-NP</c>, or <c>O</c>).</summary>
public enum TaggingScheme
{
    /// <summary>
    /// BIO, also called IOB2 (CoNLL-2000): <c>B-X</c> begins a chunk of type X, <c>I-X</c> continues it, <c>O</c> is
    /// outside. Valid sequences never start with <c>I-X</c> and put <c>I-X</c> only after <c>B-X</c> or <c>I-X</c>.
    /// </summary>
    Bio,

    /// <summary>
    /// IOBES (also BIOES, BILOU): <c>B-X</c> begins a chunk of two or more tokens, <c>I-X</c> continues it,
    /// <c>E-X</c> ends it, <c>S-X</c> is a one-token chunk, <c>O</c> is outside.
    /// </summary>
    Iobes,
}
