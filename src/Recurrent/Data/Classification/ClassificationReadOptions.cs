namespace Recurrent.Data.Classification;

/// <summary>How <see cref="ClassificationDataReader.Read"/> reads a classification data set.</summary>
/// <remarks>Each property maps onto one command-line option, named in its summary; error messages use those names.</remarks>
public sealed record ClassificationReadOptions
{
    /// <summary>The options with every default.</summary>
    public static ClassificationReadOptions Default { get; } = new();

    /// <summary><c>--format</c>: the layout of the data; <see cref="ClassificationFormat.Auto"/> tells it from the path.</summary>
    public ClassificationFormat Format { get; init; } = ClassificationFormat.Auto;

    /// <summary><c>--test PATH</c>: a separate test set in the same format (detected from its own path when
    /// <see cref="Format"/> is <see cref="ClassificationFormat.Auto"/>). Refused when the data already holds a test split.</summary>
    public string? TestPath { get; init; }

    /// <summary><c>--text-column</c>: the CSV/TSV column or JSON Lines field holding the text.</summary>
    public string TextField { get; init; } = "text";

    /// <summary><c>--label-column</c>: the CSV/TSV column or JSON Lines field holding the label.</summary>
    public string LabelField { get; init; } = "label";
}
