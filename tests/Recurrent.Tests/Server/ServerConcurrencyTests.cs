using System.Net;
using System.Text.Json;
using Recurrent.Kernels;
using Recurrent.Server;
using Recurrent.Server.Models;
using Recurrent.Tensors;

namespace Recurrent.Tests.Server;

/// <summary>
/// Many requests at once: pooled inference objects give every request the answer it gets alone, compute stays
/// within its slots, generations take turns with short requests, and a generation stops when its client leaves.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ServerConcurrencyTests(ServedTestModels models)
{
    [Fact]
    public async Task ConcurrentRequestsGetTheAnswersTheyGetAlone()
    {
        using ServerFactory server = models.CreateServer(new ServerOptions { ComputeSlots = 3 });
        HttpClient client = server.CreateClient();
        var random = new RandomGenerator(3);
        string[] texts = [.. Enumerable.Range(0, 24).Select(_ => ServedTestModels.Sentence(random))];
        var alone = new string[texts.Length];
        for (int i = 0; i < texts.Length; i++) alone[i] = await Next(client, texts[i]);

        for (int round = 0; round < 3; round++)
        {
            string[] together = await Task.WhenAll(texts.Select(t => Task.Run(() => Next(client, t))));
            Assert.Equal(alone, together); // bit for bit: no request saw another's buffers
        }
        var model = (ServedLanguageModel)server.Catalog.Find("words");
        Assert.Equal(3, model.RequestPool.Created); // one per compute slot, made at load, however many requests came
        Assert.Equal(0, model.RequestPool.InUse);
        Assert.Equal(0, model.GenerationPool.Created);

        static async Task<string> Next(HttpClient client, string text)
        {
            JsonElement answer = await (await client.PostObject("/v1/models/words/next", new { text, k = 11 })).Json();
            return answer.GetProperty("tokens").GetRawText();
        }
    }

    [Fact]
    public async Task ComputeNeverExceedsItsSlots()
    {
        // The work blocks its thread: with the other test classes running, the pool's minimum might be too few
        // threads to fill three slots at once.
        ThreadPool.GetMinThreads(out int workers, out int ports);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), ports);
        try
        {
            using var gate = new ComputeGate(3);
            int running = 0, most = 0;
            Task<int>[] work = [.. Enumerable.Range(0, 40).Select(i => Task.Run(async () => await gate.RunAsync(() =>
            {
                int now = Interlocked.Increment(ref running);
                int seen;
                while (now > (seen = Volatile.Read(ref most)) && Interlocked.CompareExchange(ref most, now, seen) != seen) { }
                Thread.Sleep(10);
                Interlocked.Decrement(ref running);
                return i;
            }, CancellationToken.None)))];
            Assert.Equal(Enumerable.Range(0, 40), await Task.WhenAll(work));
            Assert.Equal(3, most);
            Assert.Equal(0, gate.Busy);
        }
        finally
        {
            ThreadPool.SetMinThreads(workers, ports);
        }
    }

    [Fact]
    public async Task PoolLendsEachObjectToOneRequestAndWaitsPastItsCapacity()
    {
        int made = 0;
        using var pool = new InferencePool<object>(() => { Interlocked.Increment(ref made); return new object(); }, capacity: 2);
        InferencePool<object>.Lease a = await pool.RentAsync(CancellationToken.None);
        InferencePool<object>.Lease b = await pool.RentAsync(CancellationToken.None);
        Assert.NotSame(a.Item, b.Item);
        ValueTask<InferencePool<object>.Lease> third = pool.RentAsync(CancellationToken.None);
        Assert.False(third.IsCompleted); // both are lent: the third request waits
        object first = a.Item;
        a.Dispose();
        a.Dispose(); // returning twice is harmless
        using InferencePool<object>.Lease c = await third;
        Assert.Same(first, c.Item);
        b.Dispose();
        Assert.Equal(2, made);
        using var cancelled = new CancellationTokenSource();
        InferencePool<object>.Lease d = await pool.RentAsync(CancellationToken.None);
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pool.RentAsync(cancelled.Token));
        d.Dispose();
    }

    /// <summary>
    /// The kernels' worker pool is entered by one caller at a time; the others run their loop on their own thread.
    /// Products started from many threads at once must equal the single-threaded ones bit for bit.
    /// </summary>
    [Fact]
    public void GemmFromManyThreadsAtOnceMatchesOneThread()
    {
        const int m = 37, n = 300, k = 200;
        var random = new RandomGenerator(4);
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.Length; i++) a[i] = random.NextSingle() - 0.5f;
        for (int i = 0; i < b.Length; i++) b[i] = random.NextSingle() - 0.5f;
        var expected = new float[m * n];
        int threads = ComputeThreads.Count;
        ComputeThreads.Count = 1;
        try { Gemm.Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, expected, n); }
        finally { ComputeThreads.Count = threads; }

        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            var c = new float[m * n];
            for (int repeat = 0; repeat < 20; repeat++)
            {
                Gemm.Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
                for (int i = 0; i < c.Length; i++)
                    if (BitConverter.SingleToInt32Bits(c[i]) != BitConverter.SingleToInt32Bits(expected[i]))
                        Assert.Fail($"element {i}: {c[i]:R} != {expected[i]:R}");
            }
        });
    }

    [Fact]
    public async Task ShortRequestsAreAnsweredWhileAGenerationStreams()
    {
        // One compute slot and one generation object: a generation that held the slot, or the only object, for its
        // whole length would block 'next' until it ended.
        using ServerFactory server = models.CreateServer(new ServerOptions { ComputeSlots = 1, GenerationsPerModel = 1, MaxGenerateLength = 1_000_000 });
        HttpClient client = server.CreateClient();
        using HttpResponseMessage stream = await client.SendAsync(
            ServerHttp.StreamRequest("/v1/models/chars/generate", """{"length": 1000000}"""), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal("event: token", await reader.ReadLineAsync());
        for (int i = 0; i < 5; i++)
        {
            HttpResponseMessage next = await client.PostObject("/v1/models/chars/next", new { text = "the", k = 2 }); // the generating model itself
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        }
        Assert.Equal(1, server.Serving.Status.ActiveGenerations);
    }

    [Fact]
    public async Task AGenerationStopsWhenItsClientLeaves()
    {
        using ServerFactory server = models.CreateServer(new ServerOptions { MaxGenerateLength = 1_000_000 });
        HttpClient client = server.CreateClient();
        var pool = ((ServedLanguageModel)server.Catalog.Find("chars")).GenerationPool;
        using (var leave = new CancellationTokenSource())
        {
            HttpResponseMessage stream = await client.SendAsync(
                ServerHttp.StreamRequest("/v1/models/chars/generate", """{"length": 1000000}"""), HttpCompletionOption.ResponseHeadersRead, leave.Token);
            var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
            for (int i = 0; i < 10; i++) await reader.ReadLineAsync();
            Assert.Equal(1, server.Serving.Status.ActiveGenerations);
            leave.Cancel();
            stream.Dispose();
        }
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((server.Serving.Status.ActiveGenerations != 0 || pool.InUse != 0) && waited.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(20);
        Assert.Equal(0, server.Serving.Status.ActiveGenerations);
        Assert.Equal(0, pool.InUse); // the inference object went back to the pool
        long drawn = server.Serving.Status.GeneratedTokens;
        await Task.Delay(200);
        Assert.Equal(drawn, server.Serving.Status.GeneratedTokens); // nothing is drawn any more
        Assert.True(drawn < 1_000_000, $"{drawn} tokens drawn");
    }
}
