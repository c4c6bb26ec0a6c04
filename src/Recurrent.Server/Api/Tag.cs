namespace Recurrent.Server.Api;

/// <summary>
/// <c>POST /v1/models/{name}/tag</c>: one tag per token of each text. A text's tokens are its runs of non-white-space
/// characters, as <c>recurrent tag predict</c> reads a line: write punctuation apart (<c>the cat , the dog .</c>)
/// where the tagger's data did.
/// </summary>
public sealed record TagRequest
{
    public IReadOnlyList<string>? Texts { get; init; }
}

/// <param name="Labels">The tags the model writes, as its data writes them (BIO for chunk taggers, whatever their encoding).</param>
public sealed record TagResponse(string Model, IReadOnlyList<string> Labels, IReadOnlyList<TaggedText> Results);

/// <param name="Chunks">The chunks the tags mark, for chunk taggers (tags <c>O</c>, <c>B-TYPE</c>, <c>I-TYPE</c>…); absent otherwise.</param>
public sealed record TaggedText(IReadOnlyList<TaggedToken> Tokens, IReadOnlyList<TaggedChunk>? Chunks);

/// <param name="Probability">
/// The model's probability of the tag at this token: the softmax of its scores, or for a CRF tagger the marginal
/// p(y_t = tag | text) over every tag sequence (the tags themselves are the most probable sequence, Viterbi's).
/// For IOBES taggers, of the tag as the model learned it (<c>S-NP</c> where the answer says <c>B-NP</c>).
/// </param>
public sealed record TaggedToken(string Token, string Tag, double Probability);

/// <summary>A chunk: tokens <see cref="Start"/> to <see cref="End"/> (exclusive) of the text, of type <see cref="Type"/> (<c>NP</c>…).</summary>
/// <param name="Text">Its tokens joined by spaces.</param>
public sealed record TaggedChunk(string Type, int Start, int End, string Text);
