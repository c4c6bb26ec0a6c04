using Recurrent.Tensors;
using Recurrent.Text;

namespace Recurrent.Tests.Text;

public class TopKTests
{
    /// <summary>Brute force: every id sorted by value descending, then id ascending; the first k.</summary>
    private static int[] Reference(float[] values, int k)
    {
        var ids = new List<int>();
        for (int i = 0; i < values.Length; i++) if (!float.IsNaN(values[i])) ids.Add(i);
        ids.Sort((a, b) => values[a] != values[b] ? values[b].CompareTo(values[a]) : a.CompareTo(b));
        return ids.Take(k).ToArray();
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 3)]
    [InlineData(10, 10)]
    [InlineData(10, 25)]
    [InlineData(1000, 10)]
    [InlineData(1000, 999)]
    public void MatchesASortWithTiesToLowerIds(int n, int k)
    {
        var random = new RandomGenerator((ulong)(n * 31 + k));
        for (int trial = 0; trial < 20; trial++)
        {
            // Few distinct values, so ties at the k-th place are the rule.
            var values = new float[n];
            for (int i = 0; i < n; i++) values[i] = random.NextInt(trial % 2 == 0 ? 7 : 100000) / 7f;
            Assert.Equal(Reference(values, k), TopK.Indices(values, k));
        }
    }

    [Fact]
    public void SkipsNaNAndHandlesEmptyInput()
    {
        float[] values = [0.1f, float.NaN, 0.5f, float.NaN, 0.2f];
        Assert.Equal([2, 4, 0], TopK.Indices(values, 5));
        Assert.Empty(TopK.Indices([], 3));
        Assert.Empty(TopK.Indices(values, 0));
        Span<int> into = stackalloc int[2];
        Assert.Equal(2, TopK.Select(values, into));
        Assert.Equal([2, 4], into.ToArray());
    }
}
