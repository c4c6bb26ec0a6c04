using System.Text.Json;
using Recurrent.Layers;
using Recurrent.Models;
using Recurrent.Server;
using Recurrent.Server.Api;
using Recurrent.Tensors;

namespace Recurrent.Tests.Server;

/// <summary>
/// <c>next</c> computed in batches gives what each request gets alone: the library's batched prediction against
/// one-sequence predictions, and the server's batched answers against its unbatched ones.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class NextBatchingTests(ServedTestModels models)
{
    private static LanguageModel RandomModel(CellKind cell, bool oneHot = false) => new(new LanguageModelConfig
    {
        VocabSize = 23, HiddenSize = 12, EmbeddingSize = 7, OneHot = oneHot, NumLayers = 2, NumSteps = 5, BatchSize = 4, Cell = cell,
        InitScale = 0.5f, KeepProb = 1f, Seed = 21,
    });

    /// <summary>Contexts of lengths 1 to 9 (the recurrent weights are packed from 4 steps on), each its own sequence.</summary>
    private static int[][] Contexts(int vocab)
    {
        var random = new RandomGenerator(22);
        int[] lengths = [3, 1, 9, 4, 4, 2, 7, 5];
        return [.. lengths.Select(n => Enumerable.Range(0, n).Select(_ => random.NextInt(vocab)).ToArray())];
    }

    [Theory]
    [InlineData(CellKind.Lstm, false)]
    [InlineData(CellKind.Gru, false)]
    [InlineData(CellKind.Rnn, true)]
    public void ABatchOfContextsOfDifferentLengthsGivesEachItsOwnDistribution(CellKind cell, bool oneHot)
    {
        LanguageModel model = RandomModel(cell, oneHot);
        int vocab = model.Config.VocabSize;
        int[][] contexts = Contexts(vocab);
        int batch = contexts.Length, steps = contexts.Max(c => c.Length);
        var inputs = new int[steps * batch];
        var lengths = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            lengths[b] = contexts[b].Length;
            for (int t = 0; t < steps; t++) inputs[t * batch + b] = t < lengths[b] ? contexts[b][t] : (t * 7 + b) % vocab; // padding: arbitrary ids
        }
        var batched = new float[batch * vocab];
        model.PredictNextBatch(inputs, lengths, steps, batch, batched);

        var alone = new float[vocab];
        for (int b = 0; b < batch; b++)
        {
            RecurrentState state = model.CreateState(1);
            model.PredictNext(contexts[b], state, alone);
            Assert.Equal(1.0, batched.AsSpan(b * vocab, vocab).ToArray().Sum(p => (double)p), 1e-5);
            for (int v = 0; v < vocab; v++)
                Assert.True(Math.Abs(alone[v] - batched[b * vocab + v]) <= 1e-6f, $"context {b}, token {v}: {alone[v]} alone, {batched[b * vocab + v]} batched");
        }
        // A second call with another batch size reuses the buffers and still agrees.
        int[] single = [.. Enumerable.Range(0, steps).Select(t => inputs[t * batch + 2])];
        model.PredictNextBatch(single, [lengths[2]], steps, 1, alone);
        RecurrentState again = model.CreateState(1);
        var reference = new float[vocab];
        model.PredictNext(contexts[2], again, reference);
        for (int v = 0; v < vocab; v++) Assert.Equal(reference[v], alone[v], 1e-6f);
    }

    [Fact]
    public void BadBatchesAreRefused()
    {
        LanguageModel model = RandomModel(CellKind.Lstm);
        var p = new float[2 * 23];
        Assert.Throws<ArgumentException>(() => model.PredictNextBatch([1, 2, 3, 4], [2, 0], 2, 2, p));   // an empty sequence
        Assert.Throws<ArgumentException>(() => model.PredictNextBatch([1, 2, 3, 4], [2, 3], 2, 2, p));   // longer than the steps
        Assert.Throws<ArgumentException>(() => model.PredictNextBatch([1, 2, 3], [2, 1], 2, 2, p));      // inputs not steps × batch
        Assert.Throws<ArgumentException>(() => model.PredictNextBatch([1, 2, 3, 4], [2, 1], 2, 2, p.AsSpan(1).ToArray()));
    }

    /// <summary>
    /// Concurrent <c>next</c> requests with contexts of different lengths, batched (a long window so that they meet;
    /// a small token budget so that a batch splits by length), answer what the unbatched server answers.
    /// </summary>
    [Theory]
    [InlineData(2048)]
    [InlineData(12)]
    public async Task BatchedAnswersEqualUnbatchedOnes(int batchTokens)
    {
        string[] texts = ["", "the", "the cat", "a dog ran far", "the cat sat on the mat", "the dog sat on the mat the cat ran far", "mat mat", "ran dog a"];
        using ServerFactory alone = models.CreateServer(new ServerOptions { NextBatchSize = 1 });
        using ServerFactory batched = models.CreateServer(new ServerOptions
        {
            NextBatchSize = 64, NextBatchWindow = TimeSpan.FromMilliseconds(200), NextBatchTokens = batchTokens,
        });
        foreach (string model in (string[])["words", "chars"])
        {
            int vocabulary = batched.Catalog.Find(model).VocabularySize;
            HttpClient aloneClient = alone.CreateClient(), batchedClient = batched.CreateClient();
            var expected = new List<JsonElement>();
            foreach (string text in texts) expected.Add(await Next(aloneClient, model, text, vocabulary));
            long before = batched.Serving.Status.Next.Batches;
            JsonElement[] answers = await Task.WhenAll(texts.Select(t => Task.Run(() => Next(batchedClient, model, t, vocabulary))));
            for (int i = 0; i < texts.Length; i++)
            {
                Dictionary<int, double> want = ById(expected[i]), got = ById(answers[i]);
                Assert.Equal(vocabulary, got.Count);
                foreach ((int id, double p) in want)
                    Assert.True(Math.Abs(p - got[id]) <= 1e-5, $"'{texts[i]}' on {model}, token {id}: {p} alone, {got[id]} batched");
                int first = expected[i][0].GetProperty("id").GetInt32(), second = expected[i][1].GetProperty("id").GetInt32();
                if (want[first] - want[second] > 1e-5) Assert.Equal(first, answers[i][0].GetProperty("id").GetInt32());
            }
            long batches = batched.Serving.Status.Next.Batches - before;
            Assert.True(batches < texts.Length, $"{texts.Length} requests took {batches} computations: they were not batched");
        }
        NextStatistics stats = batched.Serving.Status.Next;
        Assert.Equal(2 * texts.Length, stats.Requests);
        Assert.True(stats.ProjectionSeconds > 0 && stats.RecurrentSeconds > 0 && stats.BatchSeconds >= stats.ProjectionSeconds + stats.RecurrentSeconds);
        Assert.Equal(2 * texts.Length, alone.Serving.Status.Next.Requests);
        Assert.Equal(alone.Serving.Status.Next.Requests, alone.Serving.Status.Next.Batches); // unbatched: one computation each

        static Dictionary<int, double> ById(JsonElement tokens) =>
            tokens.EnumerateArray().ToDictionary(t => t.GetProperty("id").GetInt32(), t => t.GetProperty("probability").GetDouble());

        static async Task<JsonElement> Next(HttpClient client, string model, string text, int k) =>
            (await (await client.PostObject($"/v1/models/{model}/next", new { text, k })).Json()).GetProperty("tokens");
    }

    /// <summary>
    /// Alone, a request waits the window (even one shorter than a timer tick) for company before it computes; a
    /// request that arrives within the window joins its batch.
    /// </summary>
    [Fact]
    public async Task ALoneRequestWaitsTheWindowAndALaterOneWithinItJoinsItsBatch()
    {
        LanguageModel model = RandomModel(CellKind.Lstm);
        using (var serving = new ServingContext(new ServerOptions { NextBatchWindow = TimeSpan.FromMilliseconds(1) }))
        using (var batcher = new NextBatcher(model.CreateInference(), id => $"t{id}", serving))
        {
            for (int i = 0; i < 5; i++) await batcher.NextAsync([1, 2, 3], 3, CancellationToken.None);
            NextStatistics alone = serving.Status.Next;
            Assert.Equal(5, alone.Batches);
            Assert.True(alone.QueueSeconds >= 5 * 0.001, $"5 lone requests waited {alone.QueueSeconds * 1000:F3} ms in all, less than the 1 ms window each");
        }
        using (var serving = new ServingContext(new ServerOptions { NextBatchWindow = TimeSpan.FromMilliseconds(500) }))
        using (var batcher = new NextBatcher(model.CreateInference(), id => $"t{id}", serving))
        {
            Task<TokenProbability[]> first = batcher.NextAsync([1, 2, 3], 3, CancellationToken.None);
            await Task.Delay(30);
            Task<TokenProbability[]> second = batcher.NextAsync([4], 3, CancellationToken.None);
            await Task.WhenAll(first, second);
            Assert.Equal(2, serving.Status.Next.Requests);
            Assert.Equal(1, serving.Status.Next.Batches);
        }
    }

    [Fact]
    public async Task ARequestWhoseClientLeavesIsDroppedAndTheOthersAreAnswered()
    {
        using var serving = new ServingContext(new ServerOptions { NextBatchWindow = TimeSpan.FromMilliseconds(300) });
        LanguageModel model = RandomModel(CellKind.Lstm);
        using var batcher = new NextBatcher(model.CreateInference(), id => $"t{id}", serving);
        using var leave = new CancellationTokenSource();
        Task<TokenProbability[]> left = batcher.NextAsync([1, 2, 3], 5, leave.Token);
        leave.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => left);
        TokenProbability[] answer = await batcher.NextAsync([1, 2, 3], 3, CancellationToken.None);
        Assert.Equal(3, answer.Length);
        var p = new float[23];
        model.PredictNext([1, 2, 3], model.CreateState(1), p);
        int best = Array.IndexOf(p, p.Max());
        Assert.Equal(best, answer[0].Id);
        Assert.Equal($"t{best}", answer[0].Token);
        Assert.Equal(p[best], answer[0].Probability, 1e-6);
        Assert.Equal(1, serving.Status.Next.Requests); // the request that left was never computed
    }
}
