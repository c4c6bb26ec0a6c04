using Recurrent.Kernels;

namespace Recurrent.Embeddings;

/// <summary>
/// Scores word vectors on word-analogy questions (<c>a b c d</c>: a is to b as c is to d) by the rules of word2vec's
/// compute-accuracy, so that its figures and ours compare.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Only the first <c>candidates</c> rows are used (word2vec files list the most frequent words first; the
/// customary value is 30,000): they are the only possible answers, and a question with a word outside them is skipped
/// (counted in the section's total, not answered).</item>
/// <item>Words are compared upper-cased (invariant culture; compute-accuracy upper-cases ASCII); a question word
/// matches the first row with the same upper-cased word.</item>
/// <item>The answer is the row x, other than the rows of a, b and c, with the largest <c>x̂·(b̂ − â + ĉ)</c> on unit
/// vectors; as in compute-accuracy, only a positive score can win, so a question where every score is ≤ 0 counts as
/// wrong. It is right when its upper-cased word equals d upper-cased.</item>
/// <item>Sections start at lines <c>: name</c>. Semantic accuracy covers the sections before the first whose name
/// starts with "gram" (compute-accuracy: the first five), syntactic the "gram" sections.</item>
/// </list>
/// </remarks>
public static class AnalogyEvaluation
{
    /// <summary>compute-accuracy's customary restriction to the 30,000 most frequent words.</summary>
    public const int DefaultCandidates = 30_000;

    private const int QuestionBlock = 256;

    /// <summary>Evaluates <paramref name="vectors"/> on the questions file <paramref name="questionsPath"/>.</summary>
    /// <exception cref="RecurrentException">The file is missing, or a question line does not have four words (the message names file and line).</exception>
    public static AnalogyReport Evaluate(WordVectors vectors, string questionsPath, int candidates = DefaultCandidates)
    {
        if (!File.Exists(questionsPath)) throw new RecurrentException($"The questions file '{questionsPath}' does not exist.");
        using var reader = new StreamReader(questionsPath);
        return Evaluate(vectors, reader, questionsPath, candidates);
    }

    /// <summary>Evaluates on questions read from <paramref name="questions"/>; <paramref name="source"/> names them in errors.</summary>
    public static AnalogyReport Evaluate(WordVectors vectors, TextReader questions, string source, int candidates = DefaultCandidates)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentOutOfRangeException.ThrowIfLessThan(candidates, 1);
        int n = Math.Min(candidates, vectors.Count), d = vectors.Dimension;
        var rows = new Dictionary<string, int>(n, StringComparer.Ordinal);
        var upper = new string[n];
        for (int i = 0; i < n; i++)
        {
            upper[i] = vectors.Words[i].ToUpperInvariant();
            rows.TryAdd(upper[i], i);
        }
        float[] unit = new float[n * d];
        for (int i = 0; i < n; i++) vectors.UnitRow(i).CopyTo(unit.AsSpan(i * d, d));

        var sections = new List<(string Name, int Correct, int Seen, int Total)>();
        var pending = new List<(int Section, int A, int B, int C, string Answer)>(QuestionBlock);
        float[] queries = new float[QuestionBlock * d];
        float[] scores = new float[QuestionBlock * n];
        int lineNumber = 0;
        string? line;
        while ((line = questions.ReadLine()) is not null)
        {
            lineNumber++;
            string trimmed = line.Trim();
            if (trimmed.Length == 0) continue;
            if (trimmed[0] == ':')
            {
                sections.Add((trimmed[1..].Trim(), 0, 0, 0));
                continue;
            }
            string[] words = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length != 4)
                throw new RecurrentException($"{source}, line {lineNumber}: expected four words 'a b c d' (a is to b as c is to d), found {words.Length}.");
            if (sections.Count == 0) sections.Add(("", 0, 0, 0));
            int section = sections.Count - 1;
            sections[section] = sections[section] with { Total = sections[section].Total + 1 };
            if (!rows.TryGetValue(words[0].ToUpperInvariant(), out int a)
                || !rows.TryGetValue(words[1].ToUpperInvariant(), out int b)
                || !rows.TryGetValue(words[2].ToUpperInvariant(), out int c)
                || !rows.ContainsKey(words[3].ToUpperInvariant()))
                continue;
            pending.Add((section, a, b, c, words[3].ToUpperInvariant()));
            if (pending.Count == QuestionBlock) Answer(pending, sections, unit, upper, n, d, queries, scores);
        }
        Answer(pending, sections, unit, upper, n, d, queries, scores);

        var result = sections.Select(s => new AnalogySection(s.Name, s.Correct, s.Seen, s.Total)).ToList();
        int firstGram = result.FindIndex(s => s.Name.StartsWith("gram", StringComparison.Ordinal));
        IEnumerable<AnalogySection> semantic = firstGram < 0 ? result : result.Take(firstGram);
        IEnumerable<AnalogySection> syntactic = result.Where(s => s.Name.StartsWith("gram", StringComparison.Ordinal));
        return new AnalogyReport(result, Sum("semantic", semantic), Sum("syntactic", syntactic), Sum("total", result));
    }

    /// <summary>Answers the pending questions at once: their targets times the candidates' unit vectors, one matrix product.</summary>
    private static void Answer(List<(int Section, int A, int B, int C, string Answer)> pending, List<(string Name, int Correct, int Seen, int Total)> sections,
        float[] unit, string[] upper, int n, int d, float[] queries, float[] scores)
    {
        int q = pending.Count;
        if (q == 0) return;
        for (int i = 0; i < q; i++)
        {
            (_, int a, int b, int c, _) = pending[i];
            Span<float> target = queries.AsSpan(i * d, d);
            for (int k = 0; k < d; k++) target[k] = (unit[b * d + k] - unit[a * d + k]) + unit[c * d + k];
        }
        Gemm.Multiply(false, true, q, n, d, 1f, queries, d, unit, d, 0f, scores, n);
        for (int i = 0; i < q; i++)
        {
            (int section, int a, int b, int c, string answer) = pending[i];
            ReadOnlySpan<float> row = scores.AsSpan(i * n, n);
            int best = -1;
            float bestScore = 0; // compute-accuracy starts from 0: only a positive score wins
            for (int x = 0; x < n; x++)
            {
                if (x == a || x == b || x == c) continue;
                if (row[x] > bestScore)
                {
                    bestScore = row[x];
                    best = x;
                }
            }
            var s = sections[section];
            sections[section] = s with { Seen = s.Seen + 1, Correct = s.Correct + (best >= 0 && upper[best] == answer ? 1 : 0) };
        }
        pending.Clear();
    }

    private static AnalogySection Sum(string name, IEnumerable<AnalogySection> sections)
    {
        int correct = 0, seen = 0, total = 0;
        foreach (AnalogySection s in sections)
        {
            correct += s.Correct;
            seen += s.Seen;
            total += s.Total;
        }
        return new AnalogySection(name, correct, seen, total);
    }
}
