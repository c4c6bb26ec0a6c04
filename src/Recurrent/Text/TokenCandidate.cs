namespace Recurrent.Text;

/// <summary>A candidate next token and its probability under a language model (see <see cref="Models.LanguageModel.NextTokens"/>).</summary>
/// <param name="Token">The token as it is listed: the word, or the character.</param>
/// <param name="Id">Its id in the model's vocabulary.</param>
/// <param name="Probability">Its probability after the text, in [0, 1].</param>
public readonly record struct TokenCandidate(string Token, int Id, float Probability);
