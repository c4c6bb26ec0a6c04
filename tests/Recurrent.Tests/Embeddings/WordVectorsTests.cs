using Recurrent.Embeddings;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Embeddings;

/// <summary>Nearest words and analogies on hand-made vectors, against the formulas computed here in double.</summary>
public class WordVectorsTests
{
    // A "gender" axis (x), a "royalty" axis (y), and unrelated directions; lengths differ so that cosine, not dot, must rank.
    private static readonly (string Word, float[] Vector)[] Table =
    [
        ("man", [1, 0, 0.1f, 0]),
        ("woman", [-1, 0, 0.1f, 0]),
        ("king", [2, 3, 0.2f, 0]),
        ("queen", [-2, 3, 0.2f, 0]),
        ("prince", [1, 1.6f, 0, 0.3f]),
        ("apple", [0, 0, 0, 5]),
        ("pear", [0, 0.1f, 0, 1]),
        ("giant", [30, 0, 3, 0]),
    ];

    private static WordVectors Vectors() =>
        new(Table.Select(t => t.Word).ToArray(), Table.SelectMany(t => t.Vector).ToArray(), 4);

    private static double Cosine(ReadOnlySpan<float> a, double[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }

    private static double[] Unit(float[] v)
    {
        double n = Math.Sqrt(v.Sum(x => (double)x * x));
        return v.Select(x => x / n).ToArray();
    }

    [Fact]
    public void NearestRanksByCosineAndLeavesOutTheWord()
    {
        WordVectors vectors = Vectors();
        IReadOnlyList<WordScore> nearest = vectors.Nearest("man", 7);
        Assert.DoesNotContain(nearest, s => s.Word == "man");
        Assert.Equal("giant", nearest[0].Word); // same direction, ten times longer
        double[] man = Table[0].Vector.Select(x => (double)x).ToArray();
        string[] expected = Table.Where(t => t.Word != "man").OrderByDescending(t => Cosine(t.Vector, man)).Select(t => t.Word).ToArray();
        Assert.Equal(expected, nearest.Select(s => s.Word).ToArray());
        foreach (WordScore s in nearest) Assert.Equal(Cosine(Table[s.Index].Vector, man), s.Similarity, 5);
        Assert.Equal(2, vectors.Nearest("man", 2).Count);
        Assert.Throws<RecurrentException>(() => vectors.Nearest("zebra", 3));
    }

    [Fact]
    public void AnalogyIsThreeCosAddOnUnitVectors()
    {
        WordVectors vectors = Vectors();
        IReadOnlyList<WordScore> answers = vectors.Analogy("man", "king", "woman", 5);
        Assert.Equal("queen", answers[0].Word);
        Assert.DoesNotContain(answers, s => s.Word is "man" or "king" or "woman");

        double[] target = new double[4];
        double[] a = Unit(Table[0].Vector), b = Unit(Table[2].Vector), c = Unit(Table[1].Vector);
        for (int i = 0; i < 4; i++) target[i] = b[i] - a[i] + c[i];
        string[] expected = Table.Where(t => t.Word is not ("man" or "king" or "woman"))
            .OrderByDescending(t => Cosine(t.Vector, target)).Select(t => t.Word).ToArray();
        Assert.Equal(expected, answers.Select(s => s.Word).ToArray());
        foreach (WordScore s in answers) Assert.Equal(Cosine(Table[s.Index].Vector, target), s.Similarity, 5);
    }

    [Fact]
    public void LookupFindsTheFirstRowOfARepeatedWord()
    {
        var vectors = new WordVectors(["a", "b", "a"], [1, 2, 3], 1);
        Assert.Equal(0, vectors.IndexOf("a"));
        Assert.Equal(-1, vectors.IndexOf("A"));
        Assert.Equal([1f], vectors.VectorOf("a").ToArray());
        Assert.Throws<ArgumentException>(() => new WordVectors(["a"], [1, 2], 1));
    }
}
