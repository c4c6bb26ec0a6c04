using Recurrent.Embeddings;
using Recurrent.Tensors;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Embeddings;

/// <summary>The trainer end to end on small generated texts with an obvious structure.</summary>
public class EmbeddingTrainerTests
{
    /// <summary>Lines of words from one of two disjoint clusters (a0…a19, b0…b19), chosen per line.</summary>
    private static string TwoClusters(TempDirectory dir, int lines = 1500, ulong seed = 3)
    {
        var random = new RandomGenerator(seed);
        string path = dir.File("clusters.txt");
        using var writer = new StreamWriter(path);
        for (int l = 0; l < lines; l++)
        {
            char cluster = random.NextInt(2) == 0 ? 'a' : 'b';
            for (int w = 0; w < 20; w++) writer.Write($"{cluster}{random.NextInt(20)} ");
            writer.Write('\n');
        }
        return path;
    }

    private static WordVectors Train(string path, EmbeddingOptions options)
    {
        CorpusFile text = CorpusFile.Open(path);
        var vocabulary = EmbeddingVocabulary.FromText(text, options.MinCount, options.MaxVocabulary, options.MapUnknown);
        return new EmbeddingTrainer(text, vocabulary, options).Train().Vectors;
    }

    /// <summary>Share of words whose 5 nearest neighbours are all in their own cluster.</summary>
    private static double ClusterPurity(WordVectors vectors)
    {
        int pure = 0;
        foreach (string w in vectors.Words)
            if (vectors.Nearest(w, 5).All(n => n.Word[0] == w[0])) pure++;
        return pure / (double)vectors.Count;
    }

    /// <summary>Mean cosine between words of the same cluster, and between words of different clusters.</summary>
    private static (double Within, double Across) MeanCosines(WordVectors vectors)
    {
        double within = 0, across = 0;
        int nWithin = 0, nAcross = 0;
        for (int i = 0; i < vectors.Count; i++)
            for (int j = i + 1; j < vectors.Count; j++)
            {
                double c = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(vectors[i], vectors[j]);
                if (vectors.Words[i][0] == vectors.Words[j][0]) { within += c; nWithin++; }
                else { across += c; nAcross++; }
            }
        return (within / nWithin, across / nAcross);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    public void NegativeSamplingSeparatesTheClusters(bool cbow, int threads)
    {
        using var dir = new TempDirectory();
        string path = TwoClusters(dir);
        WordVectors vectors = Train(path, new EmbeddingOptions { Dimension = 16, Window = 3, MinCount = 1, Epochs = 3, Sample = 0, Cbow = cbow, Threads = threads });
        Assert.Equal(40, vectors.Count);
        Assert.True(ClusterPurity(vectors) > 0.95, $"purity {ClusterPurity(vectors)}");
        (double within, double across) = MeanCosines(vectors);
        Assert.True(within - across > 0.5, $"mean cosine within clusters {within:F3}, across {across:F3}");
    }

    [Fact]
    public void NceSeparatesTheClusters()
    {
        using var dir = new TempDirectory();
        string path = TwoClusters(dir, lines: 500);
        WordVectors vectors = Train(path, EmbeddingOptions.Tfmi with { Dimension = 16, Window = 3, Negative = 8, BatchSize = 50, Epochs = 2, LearningRate = 0.1f });
        Assert.Equal(41, vectors.Count); // with <unk>, which the text never uses
        Assert.Equal("<unk>", vectors.Words[0]);
        var words = new WordVectors(vectors.Words.Skip(1).ToArray(), vectors.Values[vectors.Dimension..].ToArray(), vectors.Dimension);
        Assert.True(ClusterPurity(words) > 0.9, $"purity {ClusterPurity(words)}");
        (double within, double across) = MeanCosines(words);
        Assert.True(within - across > 0.3, $"mean cosine within clusters {within:F3}, across {across:F3}");
    }

    [Fact]
    public void OneThreadAndASeedReproduceARunBitForBit()
    {
        using var dir = new TempDirectory();
        string path = TwoClusters(dir, lines: 300);
        var options = new EmbeddingOptions { Dimension = 12, MinCount = 1, Epochs = 2, Sample = 1e-2, Seed = 7 };
        float[] first = Train(path, options).Values.ToArray();
        float[] second = Train(path, options).Values.ToArray();
        Assert.Equal(first, second);
        Assert.NotEqual(first, Train(path, options with { Seed = 8 }).Values.ToArray());
    }

    [Fact]
    public void ThreadSlicesCoverEveryWordOncePerEpoch()
    {
        using var dir = new TempDirectory();
        string plain = TwoClusters(dir, lines: 200);
        string gz = dir.File("clusters.gz");
        using (var output = new System.IO.Compression.GZipStream(File.Create(gz), System.IO.Compression.CompressionLevel.Fastest))
            output.Write(File.ReadAllBytes(plain));
        foreach (string path in (string[])[plain, gz])
        {
            CorpusFile text = CorpusFile.Open(path);
            var vocabulary = EmbeddingVocabulary.FromText(text, 1, 0, false);
            var options = new EmbeddingOptions { Dimension = 8, MinCount = 1, Epochs = 2, Threads = 3 };
            EmbeddingResult result = new EmbeddingTrainer(text, vocabulary, options).Train();
            Assert.True(result.Completed);
            Assert.Equal(2 * vocabulary.CorpusWords, result.Final.TokensRead);
            Assert.Equal(2 * vocabulary.TrainWords, result.Final.WordsDone);
            Assert.Equal(1, result.Final.Fraction);
        }
    }

    [Theory]
    [InlineData(null)] // the default, 16
    [InlineData(1f)]   // gensim's
    [InlineData(0.5f)] // word2vec.c's
    public void InputVectorsStartUniformInPlusMinusInitialRangeOverSize(float? range)
    {
        // One word per line: no word has a context, so nothing trains and the vectors come back as they started.
        using var dir = new TempDirectory();
        string path = dir.File("words.txt");
        File.WriteAllLines(path, Enumerable.Range(0, 400).Select(i => $"w{i}"));
        const int size = 50;
        var options = new EmbeddingOptions { Dimension = size, MinCount = 1, Sample = 0 };
        if (range is { } r) options = options with { InitialRange = r };
        WordVectors vectors = Train(path, options);
        double bound = (range ?? 16f) / size, sum = 0, sumOfSquares = 0, largest = 0;
        int n = 0;
        for (int i = 0; i < vectors.Count; i++)
            foreach (float v in vectors[i])
            {
                sum += v;
                sumOfSquares += (double)v * v;
                largest = Math.Max(largest, Math.Abs(v));
                n++;
            }
        Assert.Equal(400 * size, n);
        Assert.True(largest <= bound, $"largest |v| {largest} above {bound}");
        Assert.True(largest > 0.99 * bound, $"largest |v| {largest} well inside {bound}");
        // uniform(−b, b) has variance b²/3; 20,000 draws estimate it to about 0.6 %.
        double variance = sumOfSquares / n - (sum / n) * (sum / n);
        Assert.InRange(variance / (bound * bound / 3), 0.95, 1.05);
    }

    [Fact]
    public void CancellingReturnsTheVectorsSoFar()
    {
        using var dir = new TempDirectory();
        string path = TwoClusters(dir, lines: 200);
        CorpusFile text = CorpusFile.Open(path);
        var vocabulary = EmbeddingVocabulary.FromText(text, 1, 0, false);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        EmbeddingResult result = new EmbeddingTrainer(text, vocabulary, new EmbeddingOptions { Dimension = 8, MinCount = 1 }).Train(cancel.Token);
        Assert.False(result.Completed);
        Assert.Equal(vocabulary.Count, result.Vectors.Count);
        Assert.True(result.Final.Fraction < 1);
    }
}
