using Recurrent.Embeddings;
using Recurrent.Tensors;
using Recurrent.Tests.Support;
using Recurrent.Text;

namespace Recurrent.Tests.Embeddings;

public class TextPretrainingTests
{
    private static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return (float)(dot / Math.Sqrt(na * nb));
    }

    [Fact]
    public void WordsOfOneTopicEndUpCloserThanWordsOfTwo()
    {
        // Each text draws its words from one of two topics; skip-gram sees only co-occurrence, so words that share
        // texts must come out nearer each other than words that never meet. Random vectors would give both means ≈ 0.
        // Words are frequent here, and subsampling at 1e-4 keeps only a few percent of each: hence 60,000 tokens.
        const int W = 40;
        var random = new RandomGenerator(7);
        string[][] topics = [Enumerable.Range(0, W).Select(i => $"Sun{i}").ToArray(), Enumerable.Range(0, W).Select(i => $"Rain{i}").ToArray()];
        var texts = new List<string>();
        for (int t = 0; t < 3000; t++)
        {
            string[] topic = topics[t % 2];
            texts.Add(string.Join(" . ", Enumerable.Range(0, 20).Select(_ => topic[random.NextInt(topic.Length)])));
        }
        using var dir = new TempDirectory();

        WordVectors vectors = TextPretraining.SkipGram(texts, EnglishTokenizer.Tokenize, dimension: 16, epochs: 5, seed: 1, threads: 1, dir.Path);

        // The tokenizer lower-cases and drops the dots, and the corpus file is gone.
        Assert.Equal(2 * W, vectors.Count);
        Assert.True(vectors.IndexOf("sun3") >= 0);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        double within = 0, across = 0;
        int nWithin = 0, nAcross = 0;
        for (int a = 0; a < 2 * W; a++)
            for (int b = a + 1; b < 2 * W; b++)
            {
                float c = Cosine(vectors[vectors.IndexOf(Name(a))], vectors[vectors.IndexOf(Name(b))]);
                if (a / W == b / W) { within += c; nWithin++; } else { across += c; nAcross++; }
            }
        within /= nWithin;
        across /= nAcross;
        Assert.True(within > across + 0.3, $"mean cosine within topics {within:F3}, across {across:F3}");

        static string Name(int i) => i < W ? $"sun{i}" : $"rain{i - W}";
    }
}
