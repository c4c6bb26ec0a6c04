namespace Recurrent.Server.Api;

/// <summary><c>GET /v1/models</c>: every model the server holds.</summary>
public sealed record ModelList(IReadOnlyList<ModelInfo> Models);

/// <summary>
/// One served model: its name, kind, vocabulary size (words with a vector, for word vectors), labels (classifiers
/// and taggers), vector length (word vectors) and the actions it answers.
/// </summary>
public sealed record ModelInfo(string Name, string Kind, int VocabularySize, IReadOnlyList<string>? Labels, int? Dimension, IReadOnlyList<string> Actions, long Parameters);
