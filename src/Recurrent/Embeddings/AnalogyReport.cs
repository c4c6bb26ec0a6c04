using System.Globalization;

namespace Recurrent.Embeddings;

/// <summary>Questions answered right out of those seen, in one section (or a group of sections) of an analogy file.</summary>
/// <param name="Seen">Questions whose four words are all among the candidates; only these are answered.</param>
/// <param name="Total">All questions of the section.</param>
public sealed record AnalogySection(string Name, int Correct, int Seen, int Total)
{
    /// <summary>Correct / seen, in percent (0 when none was seen).</summary>
    public double Accuracy => Seen == 0 ? 0 : 100.0 * Correct / Seen;
}

/// <summary>The result of <see cref="AnalogyEvaluation.Evaluate(WordVectors, string, int)"/>.</summary>
/// <param name="Semantic">The sections before the first whose name starts with "gram".</param>
/// <param name="Syntactic">The sections whose name starts with "gram".</param>
public sealed record AnalogyReport(IReadOnlyList<AnalogySection> Sections, AnalogySection Semantic, AnalogySection Syntactic, AnalogySection Total)
{
    /// <summary>The report as printed: a line per section, then semantic, syntactic, the share of questions seen, and last <c>total X.XX% (N questions)</c>.</summary>
    public IEnumerable<string> Lines()
    {
        foreach (AnalogySection s in Sections)
            yield return Line(s.Name.Length == 0 ? "(no section)" : s.Name, s);
        yield return Line("semantic", Semantic);
        yield return Line("syntactic", Syntactic);
        double share = Total.Total == 0 ? 0 : 100.0 * Total.Seen / Total.Total;
        yield return string.Create(CultureInfo.InvariantCulture, $"questions seen: {Total.Seen} of {Total.Total} ({share:F2}%)");
        yield return string.Create(CultureInfo.InvariantCulture, $"total {Total.Accuracy:F2}% ({Total.Seen} questions)");
    }

    private static string Line(string name, AnalogySection s) =>
        string.Create(CultureInfo.InvariantCulture, $"{name}: {s.Accuracy:F2}% ({s.Correct} / {s.Seen}; {s.Total - s.Seen} of {s.Total} skipped)");
}
