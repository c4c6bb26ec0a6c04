namespace Recurrent.Metrics;

/// <summary>
/// Chunk counts and scores, overall or of one chunk type, with conlleval's formulas: precision
/// <c>P = 100 · correct / predicted</c> (0 when nothing was predicted), recall <c>R = 100 · correct / gold</c>
/// (0 when there is no gold chunk), <c>F1 = 2PR / (P + R)</c> (0 when P + R = 0). All in percent.
/// </summary>
/// <param name="Type">The chunk type (<c>NP</c>, …); empty for the overall scores and for untyped chunks.</param>
/// <param name="GoldChunks">Chunks in the gold tags (conlleval's "phrases").</param>
/// <param name="PredictedChunks">Chunks in the predicted tags (conlleval's "found").</param>
/// <param name="CorrectChunks">Predicted chunks with the gold chunk's type, start and end.</param>
public sealed record ChunkTypeScore(string Type, long GoldChunks, long PredictedChunks, long CorrectChunks)
{
    /// <summary>Percentage of predicted chunks that are correct (0 when none was predicted).</summary>
    public double Precision => PredictedChunks > 0 ? 100.0 * CorrectChunks / PredictedChunks : 0;

    /// <summary>Percentage of gold chunks that were found (0 when there are none).</summary>
    public double Recall => GoldChunks > 0 ? 100.0 * CorrectChunks / GoldChunks : 0;

    /// <summary>Harmonic mean of <see cref="Precision"/> and <see cref="Recall"/>, in percent.</summary>
    public double F1
    {
        get
        {
            double p = Precision, r = Recall;
            return p + r > 0 ? 2 * p * r / (p + r) : 0;
        }
    }
}

/// <summary>Everything conlleval reports: token accuracy, overall chunk scores and the scores of each chunk type.</summary>
/// <param name="Tokens">Tokens scored (sentence breaks are not tokens).</param>
/// <param name="CorrectTags">Tokens whose predicted tag equals the gold tag (same prefix and type).</param>
/// <param name="Overall">Chunk scores over all types.</param>
/// <param name="PerType">One entry per chunk type seen in the gold or predicted tags, in ordinal order of the type.</param>
public sealed record ChunkScores(long Tokens, long CorrectTags, ChunkTypeScore Overall, IReadOnlyList<ChunkTypeScore> PerType)
{
    /// <summary>Token accuracy in percent, <c>100 · CorrectTags / Tokens</c> (0 when there are no tokens).</summary>
    public double Accuracy => Tokens > 0 ? 100.0 * CorrectTags / Tokens : 0;

    /// <summary>Precision over all chunk types, in percent.</summary>
    public double Precision => Overall.Precision;

    /// <summary>Recall over all chunk types, in percent.</summary>
    public double Recall => Overall.Recall;

    /// <summary>F1 over all chunk types, in percent (conlleval's FB1).</summary>
    public double F1 => Overall.F1;

    /// <summary>
    /// The report in conlleval.pl's words and layout (without its LaTeX option): the totals line, then, when there
    /// were tokens, the accuracy line, then a line per type. Numbers are rounded to two decimals as printf's %6.2f
    /// does, except that an exact tie rounds away from zero here (and to even in C).
    /// </summary>
    public override string ToString()
    {
        var s = new System.Text.StringBuilder();
        var c = System.Globalization.CultureInfo.InvariantCulture;
        s.Append(c, $"processed {Tokens} tokens with {Overall.GoldChunks} phrases; found: {Overall.PredictedChunks} phrases; correct: {Overall.CorrectChunks}.\n");
        if (Tokens > 0)
            s.Append(c, $"accuracy: {Accuracy,6:F2}%; precision: {Precision,6:F2}%; recall: {Recall,6:F2}%; FB1: {F1,6:F2}\n");
        foreach (ChunkTypeScore t in PerType)
        {
            // conlleval's de-duplication of the sorted type names tests the previous name for truth, and Perl's ""
            // is false: the untyped line comes out twice when both gold and predicted chunks have no type.
            int times = t.Type.Length == 0 && t.GoldChunks > 0 && t.PredictedChunks > 0 ? 2 : 1;
            for (int i = 0; i < times; i++)
                s.Append(c, $"{t.Type,17}: precision: {t.Precision,6:F2}%; recall: {t.Recall,6:F2}%; FB1: {t.F1,6:F2}  {t.PredictedChunks}\n");
        }
        return s.ToString();
    }
}
