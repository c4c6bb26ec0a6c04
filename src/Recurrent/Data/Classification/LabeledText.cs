namespace Recurrent.Data.Classification;

/// <summary>One labelled document.</summary>
/// <param name="Text">The raw text, as read (not tokenized).</param>
/// <param name="Label">The label as written in the data (trimmed).</param>
/// <param name="Source">Where it came from, for error messages: <c>file:line</c>, a file, or <c>archive:member</c>.</param>
public sealed record LabeledText(string Text, string Label, string Source);
