using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Recurrent.Server;

/// <summary>What <see cref="LoadBenchmark"/> runs: N closed-loop clients calling one action of one model for a while.</summary>
/// <param name="Server">The server's base address; only loopback addresses are accepted.</param>
/// <param name="Text">The text sent (<c>text</c> of next, <c>prime</c> of generate, the one entry of <c>texts</c>).</param>
public sealed record LoadBenchmarkOptions(Uri Server, string Model, string Action, int Clients, TimeSpan Duration, string Text)
{
    /// <summary>Tokens per <c>generate</c> call.</summary>
    public int GenerateLength { get; init; } = 20;

    /// <summary>How often the server's memory is read from <c>/healthz</c>.</summary>
    public TimeSpan MemoryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Load run before the measured one and not counted (the server's heap and pools settle in it).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.Zero;
}

/// <summary>
/// Where the time of a <c>next</c> request went during a run, per request (from the server's <c>/healthz</c> counters
/// at the start and the end, and the client's latencies).
/// </summary>
/// <param name="MeanBatch">Requests computed together, on average (1 without batching).</param>
/// <param name="QueueMilliseconds">From arrival at the model to the start of its batch's computation.</param>
/// <param name="ComputeMilliseconds">Its batch's computation.</param>
/// <param name="RestMilliseconds">The rest of the mean latency: HTTP, JSON, routing and the client, on both sides of the loopback.</param>
/// <param name="BatchMilliseconds">One batch's computation, on average, and its parts: recurrent steps, projection, softmax (the rest is top-k and the answers).</param>
public sealed record NextBreakdown(double MeanBatch, double MeanLatencyMilliseconds, double QueueMilliseconds, double ComputeMilliseconds, double RestMilliseconds,
    double BatchMilliseconds, double RecurrentMilliseconds, double ProjectionMilliseconds, double SoftmaxMilliseconds)
{
    /// <summary>The breakdown between two readings of <c>/healthz</c>'s <c>next</c>, or null when no <c>next</c> was answered.</summary>
    public static NextBreakdown? Between(JsonElement start, JsonElement end, double meanLatencyMilliseconds)
    {
        double Delta(string name) => end.GetProperty(name).GetDouble() - start.GetProperty(name).GetDouble();
        double requests = Delta("requests"), batches = Delta("batches");
        if (requests <= 0 || batches <= 0) return null;
        double queue = Delta("queue_seconds") * 1000 / requests, compute = Delta("compute_seconds") * 1000 / requests;
        return new NextBreakdown(requests / batches, meanLatencyMilliseconds, queue, compute, meanLatencyMilliseconds - queue - compute,
            Delta("batch_seconds") * 1000 / batches, Delta("recurrent_seconds") * 1000 / batches, Delta("projection_seconds") * 1000 / batches,
            Delta("softmax_seconds") * 1000 / batches);
    }

    public string ToJson() => string.Create(CultureInfo.InvariantCulture,
        $"{{\"mean_batch\":{MeanBatch:F1},\"mean_latency_ms\":{MeanLatencyMilliseconds:F2},\"queue_ms\":{QueueMilliseconds:F2},\"compute_ms\":{ComputeMilliseconds:F2}," +
        $"\"http_and_rest_ms\":{RestMilliseconds:F2},\"per_batch_ms\":{{\"total\":{BatchMilliseconds:F3},\"recurrent\":{RecurrentMilliseconds:F3}," +
        $"\"projection\":{ProjectionMilliseconds:F3},\"softmax\":{SoftmaxMilliseconds:F3}}}}}");
}

/// <summary>The figures of one load run. Latencies are per request, from send to the last byte of the response.</summary>
public sealed record LoadBenchmarkResult(LoadBenchmarkOptions Options, double Seconds, long Requests, long Errors,
    IReadOnlyDictionary<string, long> ErrorsByKind, double P50Milliseconds, double P99Milliseconds, double MaxMilliseconds,
    double MemoryStartMegabytes, double MemoryEndMegabytes, double MemoryFirst10sMegabytes, double MemoryLast10sMegabytes, double ServerCpuSeconds,
    IReadOnlyList<double> MemoryBy10sMegabytes, NextBreakdown? Next = null)
{
    /// <summary>Server processor time per answered request: what a request costs, whatever else the machine runs.</summary>
    public double ServerCpuMillisecondsPerRequest => Requests == Errors ? 0 : ServerCpuSeconds * 1000 / (Requests - Errors);

    public double RequestsPerSecond => Requests / Seconds;

    /// <summary>One JSON line, like the other <c>recurrent bench</c> commands.</summary>
    public string ToJson() => string.Create(CultureInfo.InvariantCulture,
        $"{{\"bench\":\"serve\",\"model\":{JsonSerializer.Serialize(Options.Model)},\"action\":\"{Options.Action}\",\"clients\":{Options.Clients},\"seconds\":{Seconds:F1}," +
        $"\"requests\":{Requests},\"requests_per_second\":{RequestsPerSecond:F1},\"p50_ms\":{P50Milliseconds:F2},\"p99_ms\":{P99Milliseconds:F2},\"max_ms\":{MaxMilliseconds:F1}," +
        $"\"errors\":{Errors},\"errors_by_kind\":{JsonSerializer.Serialize(ErrorsByKind)},\"server_memory_start_mb\":{MemoryStartMegabytes:F1},\"server_memory_end_mb\":{MemoryEndMegabytes:F1}," +
        $"\"server_memory_first_10s_mb\":{MemoryFirst10sMegabytes:F1},\"server_memory_last_10s_mb\":{MemoryLast10sMegabytes:F1}," +
        $"\"server_cpu_ms_per_request\":{ServerCpuMillisecondsPerRequest:F3},\"warmup_seconds\":{Options.Warmup.TotalSeconds:F0}," +
        $"\"server_memory_by_10s_mb\":[{string.Join(",", MemoryBy10sMegabytes.Select(m => m.ToString("F1", CultureInfo.InvariantCulture)))}]" +
        $"{(Next is null ? "" : ",\"next_breakdown\":" + Next.ToJson())}}}");
}

/// <summary>
/// <c>recurrent bench serve</c>: N clients, each sending its next request as soon as the previous one is answered,
/// against a local server for a bounded time; requests per second, p50/p99 latency, errors, and the server's working
/// set (read from <c>/healthz</c>) at the start, at the end, and averaged over the first and the last 10 seconds, and
/// the server's processor time per request.
/// </summary>
public static class LoadBenchmark
{
    /// <exception cref="RecurrentException">The address is not a loopback one, the options are out of range, or the server does not answer <c>/healthz</c>.</exception>
    public static async Task<LoadBenchmarkResult> RunAsync(LoadBenchmarkOptions options, CancellationToken cancellation = default)
    {
        Check(options);
        byte[] body = Body(options);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients + 1, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = options.Server, Timeout = TimeSpan.FromSeconds(30) };
        string path = $"/v1/models/{Uri.EscapeDataString(options.Model)}/{options.Action}";

        // One request first: a wrong model or action should fail here, not as a run of errors.
        using (HttpResponseMessage probe = await Send(client, path, body, cancellation))
            if (!probe.IsSuccessStatusCode)
                throw new RecurrentException($"{path} answered {(int)probe.StatusCode}: {await probe.Content.ReadAsStringAsync(cancellation)}");

        if (options.Warmup > TimeSpan.Zero)
        {
            using var warm = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            warm.CancelAfter(options.Warmup);
            await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(_ => Task.Run(() => RunClient(client, path, body, warm.Token))));
        }
        var memory = new List<(double Seconds, long Bytes)>();
        (long startMemory, double startCpu, JsonElement startNext) = await Health(client, cancellation);
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        stop.CancelAfter(options.Duration);
        Task sampler = SampleMemory(client, options.MemoryInterval, clock, memory, stop.Token);
        var clients = new Task<ClientTally>[options.Clients];
        for (int c = 0; c < clients.Length; c++) clients[c] = Task.Run(() => RunClient(client, path, body, stop.Token));
        ClientTally[] tallies = await Task.WhenAll(clients);
        double seconds = clock.Elapsed.TotalSeconds;
        await sampler;
        (long endMemory, double endCpu, JsonElement endNext) = await Health(client, cancellation);

        var latencies = new List<double>();
        var errors = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (ClientTally tally in tallies)
        {
            latencies.AddRange(tally.Latencies);
            foreach ((string kind, long count) in tally.Errors) errors[kind] = errors.GetValueOrDefault(kind) + count;
        }
        latencies.Sort();
        long errorCount = errors.Values.Sum();
        return new LoadBenchmarkResult(options, seconds, latencies.Count + errorCount, errorCount, errors,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.Count == 0 ? 0 : latencies[^1],
            Megabytes(startMemory), Megabytes(endMemory),
            Megabytes(Mean(memory, s => s < 10)), Megabytes(Mean(memory, s => s >= seconds - 10)), endCpu - startCpu,
            Enumerable.Range(0, (int)(seconds / 10)).Select(w => Megabytes(Mean(memory, s => s >= 10 * w && s < 10 * (w + 1)))).ToArray(),
            options.Action == "next" && latencies.Count > 0 ? NextBreakdown.Between(startNext, endNext, latencies.Average()) : null);
    }

    private static void Check(LoadBenchmarkOptions options)
    {
        string host = options.Server.IdnHost;
        if (!(host == "localhost" || (IPAddress.TryParse(host, out IPAddress? address) && IPAddress.IsLoopback(address))))
            throw new RecurrentException($"--url: {options.Server} is not a loopback address; the load benchmark only runs against a local server (127.0.0.1, ::1 or localhost).");
        if (options.Clients < 1) throw new RecurrentException($"--clients must be at least 1, got {options.Clients}.");
        if (options.Duration <= TimeSpan.Zero || options.Duration > TimeSpan.FromHours(1))
            throw new RecurrentException($"--seconds must be between 1 and 3600, got {options.Duration.TotalSeconds}.");
    }

    /// <summary>The request body of the action (an action without a text body here is refused).</summary>
    private static byte[] Body(LoadBenchmarkOptions options)
    {
        object body = options.Action switch
        {
            "next" => new { text = options.Text, k = 10 },
            "score" or "classify" or "tag" => new { texts = new[] { options.Text } },
            "generate" => new { prime = options.Text, length = options.GenerateLength },
            "nearest" => new { word = options.Text, k = 10 },
            "vector" => new { word = options.Text },
            _ => throw new RecurrentException($"--action must be next, score, generate, classify, tag, nearest or vector, got '{options.Action}'."),
        };
        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, string path, byte[] body, CancellationToken cancellation)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return client.PostAsync(path, content, cancellation);
    }

    private sealed record ClientTally(List<double> Latencies, Dictionary<string, long> Errors);

    private static async Task<ClientTally> RunClient(HttpClient client, string path, byte[] body, CancellationToken stop)
    {
        var tally = new ClientTally([], new Dictionary<string, long>(StringComparer.Ordinal));
        while (!stop.IsCancellationRequested)
        {
            long start = Stopwatch.GetTimestamp();
            string? error = null;
            try
            {
                // The request is not cancelled by the end of the run: one cut off mid-flight would count as an error.
                using HttpResponseMessage response = await Send(client, path, body, CancellationToken.None);
                await response.Content.LoadIntoBufferAsync();
                if (!response.IsSuccessStatusCode) error = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                error = e.GetType().Name;
            }
            if (error is null) tally.Latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            else tally.Errors[error] = tally.Errors.GetValueOrDefault(error) + 1;
        }
        return tally;
    }

    private static async Task SampleMemory(HttpClient client, TimeSpan interval, Stopwatch clock, List<(double, long)> samples, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                (long bytes, _, _) = await Health(client, stop);
                samples.Add((clock.Elapsed.TotalSeconds, bytes));
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>The server's working set, processor time and <c>next</c> counters, from <c>/healthz</c>.</summary>
    private static async Task<(long WorkingSet, double CpuSeconds, JsonElement Next)> Health(HttpClient client, CancellationToken cancellation)
    {
        try
        {
            using JsonDocument health = JsonDocument.Parse(await client.GetStringAsync("/healthz", cancellation));
            JsonElement root = health.RootElement;
            return (root.GetProperty("working_set_bytes").GetInt64(), root.GetProperty("cpu_seconds").GetDouble(), root.GetProperty("next").Clone());
        }
        catch (HttpRequestException e)
        {
            throw new RecurrentException($"{client.BaseAddress}healthz did not answer ({e.Message}); is 'recurrent serve' running there?");
        }
    }

    private static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    private static double Mean(List<(double Seconds, long Bytes)> samples, Func<double, bool> inWindow)
    {
        double sum = 0;
        int n = 0;
        foreach ((double s, long b) in samples)
            if (inWindow(s)) { sum += b; n++; }
        return n == 0 ? 0 : sum / n;
    }

    private static double Megabytes(double bytes) => bytes / (1024.0 * 1024.0);
}
