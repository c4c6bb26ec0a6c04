using Recurrent.Embeddings;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Embeddings;

/// <summary>The analogy evaluator follows word2vec's compute-accuracy rules.</summary>
public class AnalogyEvaluationTests
{
    private static AnalogyReport Evaluate(WordVectors vectors, string questions, int candidates) =>
        AnalogyEvaluation.Evaluate(vectors, new StringReader(questions), "questions.txt", candidates);

    // 2-d directions at known angles: a, b, c and the answers are placed so each rule decides one question.
    private static WordVectors Hand() => new(
        ["paris", "france", "rome", "italy", "italia", "berlin", "germany", "big", "bigger", "far"],
        [
            1, 0,          // paris
            1, 1,          // france
            0.9f, 0.1f,    // rome
            0.9f, 1.05f,   // italy: along france − paris + rome on unit vectors (49.4°)
            0.9f, 1.2f,    // italia: a little further (53.1°)
            -1, 0.2f,      // berlin
            -1, 1.3f,      // germany
            0, -1,         // big
            0, -1.2f,      // bigger
            5, 5,          // far: beyond the candidates when N = 9
        ], 2);

    [Fact]
    public void RulesOfComputeAccuracy()
    {
        string questions = """
            : capital-common-countries
            Paris France Rome Italy
            paris france berlin germany
            paris france rome italia
            paris france rome far
            paris france zzz italy
            : currency
            paris paris paris paris
            : gram2-opposite
            big bigger big bigger
            big bigger france far
            """;
        AnalogyReport report = Evaluate(Hand(), questions, candidates: 9);
        AnalogySection capitals = report.Sections[0];
        // Case-insensitive: the first question is seen and right; the third asks for italia but italy wins;
        // 'far' is beyond the 9 candidates and 'zzz' is unknown: skipped.
        Assert.Equal(("capital-common-countries", 2, 3, 5), (capitals.Name, capitals.Correct, capitals.Seen, capitals.Total));
        // b − a + c with a = b = c = paris: paris itself is excluded, so it cannot be the answer.
        Assert.Equal((0, 1, 1), (report.Sections[1].Correct, report.Sections[1].Seen, report.Sections[1].Total));
        // big bigger big → the target is bigger itself, excluded; nothing left scores above 0, so the answer is wrong.
        Assert.Equal((0, 1, 2), (report.Sections[2].Correct, report.Sections[2].Seen, report.Sections[2].Total));
        Assert.Equal((2, 4, 6), (report.Semantic.Correct, report.Semantic.Seen, report.Semantic.Total));
        Assert.Equal((0, 1, 2), (report.Syntactic.Correct, report.Syntactic.Seen, report.Syntactic.Total));
        Assert.Equal((2, 5, 8), (report.Total.Correct, report.Total.Seen, report.Total.Total));
        string[] lines = report.Lines().ToArray();
        Assert.Equal("total 40.00% (5 questions)", lines[^1]);
        Assert.Equal("questions seen: 5 of 8 (62.50%)", lines[^2]);
        Assert.StartsWith("semantic: 50.00% (2 / 4", lines[^4]);
    }

    [Fact]
    public void MatchesABruteForceEvaluationOnRandomVectors()
    {
        const int words = 60, dimension = 12, candidates = 45;
        string[] names = Enumerable.Range(0, words).Select(i => $"w{i}").ToArray();
        float[] values = Reference.RandomArray(words * dimension, 21);
        var vectors = new WordVectors(names, values, dimension);
        var random = new Recurrent.Tensors.RandomGenerator(5);
        var lines = new List<string> { ": sem" };
        for (int q = 0; q < 400; q++)
        {
            if (q == 200) lines.Add(": gram-x");
            lines.Add(string.Join(' ', Enumerable.Range(0, 4).Select(_ => names[random.NextInt(words)].ToUpperInvariant())));
        }
        AnalogyReport report = Evaluate(vectors, string.Join('\n', lines), candidates);

        // compute-accuracy, transcribed: unit rows of the first N words, b − a + c, best positive dot.
        double[][] unit = Enumerable.Range(0, candidates).Select(i =>
        {
            double[] v = values.Skip(i * dimension).Take(dimension).Select(x => (double)x).ToArray();
            double n = Math.Sqrt(v.Sum(x => x * x));
            return v.Select(x => x / n).ToArray();
        }).ToArray();
        int correct = 0, seen = 0;
        foreach (string line in lines.Where(l => !l.StartsWith(':')))
        {
            int[] ids = line.Split(' ').Select(w => int.Parse(w[1..])).ToArray();
            if (ids.Any(i => i >= candidates)) continue;
            seen++;
            double[] target = Enumerable.Range(0, dimension).Select(k => unit[ids[1]][k] - unit[ids[0]][k] + unit[ids[2]][k]).ToArray();
            int best = -1;
            double bestScore = 0;
            for (int x = 0; x < candidates; x++)
            {
                if (x == ids[0] || x == ids[1] || x == ids[2]) continue;
                double s = Enumerable.Range(0, dimension).Sum(k => target[k] * unit[x][k]);
                if (s > bestScore) { bestScore = s; best = x; }
            }
            if (best == ids[3]) correct++;
        }
        Assert.Equal(seen, report.Total.Seen);
        Assert.Equal(correct, report.Total.Correct);
        Assert.True(correct > 0);
        Assert.Equal(400, report.Total.Total);
    }

    [Fact]
    public void AQuestionLineWithoutFourWordsNamesItsLine()
    {
        var e = Assert.Throws<RecurrentException>(() => Evaluate(Hand(), ": s\nparis france rome\n", 9));
        Assert.Contains("questions.txt, line 2", e.Message);
    }
}
