namespace Recurrent.Metrics;

/// <summary>Where <see cref="ChunkScorer"/> finds chunks to start and end.</summary>
public enum ChunkRules
{
    /// <summary>
    /// conlleval.pl's own rules (version 2004-01-26, CoNLL-2000 to CoNLL-2003), for IOB1, IOB2 (BIO), IOE1, IOE2 and
    /// the bracket tags <c>[</c>, <c>]</c>, <c>.</c>. They know no <c>S</c> prefix, and <c>E-X</c> followed by
    /// <c>B-X</c> neither ends nor starts a chunk, so IOBES tags are miscounted: convert them to BIO first, or use
    /// <see cref="Iobes"/>.
    /// </summary>
    Conlleval,

    /// <summary>
    /// conlleval.pl's rules plus the IOBES cases found in its later IOBES-aware copies: a chunk ends after
    /// <c>E</c> or <c>S</c> and before <c>S</c>; one starts at <c>B</c> or <c>S</c> whatever precedes it, and at
    /// <c>I</c> or <c>E</c> after <c>S</c>. On tags without <c>S</c> and without <c>E</c> followed by <c>B</c>
    /// (valid BIO, IOB1, IOE) both rule sets agree.
    /// </summary>
    Iobes,
}
