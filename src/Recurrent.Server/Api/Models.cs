namespace Recurrent.Server.Api;

/// <summary><c>GET /v1/models</c>: every model the server holds.</summary>
public sealed record ModelList(IReadOnlyList<ModelInfo> Models);

/// <summary>One served model: its name, kind, vocabulary size, labels (classifiers and taggers) and the actions it answers.</summary>
public sealed record ModelInfo(string Name, string Kind, int VocabularySize, IReadOnlyList<string>? Labels, IReadOnlyList<string> Actions, long Parameters);
