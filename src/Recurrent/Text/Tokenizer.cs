namespace Recurrent.Text;

/// <summary>Receives one token; the span is valid only during the call.</summary>
public delegate void TokenHandler(ReadOnlySpan<char> token);

/// <summary>
/// Splits <paramref name="text"/> into tokens, calling <paramref name="onToken"/> for each in order. Tokens are handed
/// out as spans so that a caller looking them up in a vocabulary allocates nothing per token.
/// </summary>
public delegate void Tokenizer(string text, TokenHandler onToken);
