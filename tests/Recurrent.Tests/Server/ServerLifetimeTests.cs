using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Recurrent.Cli.Commands;
using Recurrent.Server;
using Recurrent.Server.Models;

namespace Recurrent.Tests.Server;

/// <summary>Names and addresses from the command line, loading, and stopping a real (Kestrel) server: drain, then close.</summary>
[Collection(ServerCollection.Name)]
public sealed class ServerLifetimeTests(ServedTestModels models)
{
    [Theory]
    [InlineData("ptb=runs/x/best.ckpt", "ptb", "runs/x/best.ckpt")]
    [InlineData("runs/word-1/best.ckpt", "best", "runs/word-1/best.ckpt")]
    [InlineData("runs/word-1/", "word-1", "runs/word-1/")]
    [InlineData("runs/a=b/model.v2.ckpt", "model.v2", "runs/a=b/model.v2.ckpt")]
    [InlineData("my.model=/tmp/m.ckpt", "my.model", "/tmp/m.ckpt")]
    public void SpecsAreNamePathOrTheFileStem(string argument, string name, string path)
    {
        ModelSpec spec = ModelSpec.Parse(argument);
        Assert.Equal(name, spec.Name);
        Assert.Equal(path, spec.Path);
    }

    [Theory]
    [InlineData("runs/.hidden.ckpt")]
    [InlineData("runs/mod el.ckpt")]
    [InlineData("runs/é.ckpt")]
    public void StemsThatAreNotNamesNeedNameEqualsPath(string argument) =>
        Assert.Contains("name=path", Assert.Throws<RecurrentException>(() => ModelSpec.Parse(argument)).Message);

    [Fact]
    public void NamesAreKeysNeverPaths()
    {
        foreach (string bad in (string[])["..", ".", "../x", "a/b", "a\\b", "", new string('a', 65), "-x"])
            Assert.False(ModelSpec.IsValidName(bad), bad);
        Assert.Throws<RecurrentException>(() => new ModelSpec("../etc", "/tmp/x"));
    }

    [Fact]
    public void LoadingRefusesDuplicateNamesMissingFilesAndUnservableKinds()
    {
        using var serving = new ServingContext(new ServerOptions());
        Assert.Contains("Two models are named 'm'", Assert.Throws<RecurrentException>(() =>
            ModelCatalog.Load([new("m", models.CharCheckpoint), new("m", models.ClassifierCheckpoint)], serving)).Message);
        Assert.Contains("does not exist", Assert.Throws<RecurrentException>(() =>
            ModelCatalog.Load([new("m", Path.Combine(models.Folder, "missing.ckpt"))], serving)).Message);
        string notACheckpoint = Path.Combine(models.Folder, "notes.txt");
        File.WriteAllText(notACheckpoint, "hello");
        Assert.Throws<RecurrentException>(() => ModelCatalog.Load([new("m", notACheckpoint)], serving));
        Assert.Contains("must be at least 1", Assert.Throws<RecurrentException>(() => new ServingContext(new ServerOptions { MaxBatchTexts = 0 })).Message);
    }

    [Theory]
    [InlineData("127.0.0.1", 5000, "http://127.0.0.1:5000")]
    [InlineData("0.0.0.0", 8080, "http://0.0.0.0:8080")]
    [InlineData("::1", 5000, "http://[::1]:5000")]
    [InlineData("localhost", 0, "http://localhost:0")]
    public void HostAndPortMakeTheUrl(string host, int port, string url) => Assert.Equal(url, ServeCommand.Url(host, port));

    [Fact]
    public void BadHostOrPortIsAnError()
    {
        Assert.Contains("--host", Assert.Throws<RecurrentException>(() => ServeCommand.Url("example.com", 5000)).Message);
        Assert.Contains("--port", Assert.Throws<RecurrentException>(() => ServeCommand.Url("127.0.0.1", 70000)).Message);
    }

    [Fact]
    public async Task LoadBenchmarkMeasuresALocalServerAndRefusesOthers()
    {
        using ServerFactory server = models.CreateServer();
        Uri address = server.StartKestrel();
        var options = new LoadBenchmarkOptions(address, "words", "next", 4, TimeSpan.FromSeconds(1.5), "the cat") { MemoryInterval = TimeSpan.FromMilliseconds(200) };
        LoadBenchmarkResult result = await LoadBenchmark.RunAsync(options);
        Assert.Equal(0, result.Errors);
        Assert.True(result.Requests > 10, $"{result.Requests} requests");
        Assert.InRange(result.P50Milliseconds, 0.001, result.P99Milliseconds);
        Assert.InRange(result.P99Milliseconds, result.P50Milliseconds, result.MaxMilliseconds);
        Assert.True(result.MemoryStartMegabytes > 10 && result.MemoryEndMegabytes > 10);
        Assert.True(result.ServerCpuMillisecondsPerRequest > 0);
        using (var json = System.Text.Json.JsonDocument.Parse(result.ToJson()))
            Assert.Equal(result.Requests, json.RootElement.GetProperty("requests").GetInt64());

        // Every action with a text body runs; a wrong model fails up front, not as a run of errors.
        foreach ((string model, string action) in new[] { ("words", "score"), ("chars", "generate"), ("sentiment", "classify") })
            Assert.Equal(0, (await LoadBenchmark.RunAsync(options with { Model = model, Action = action, Duration = TimeSpan.FromSeconds(0.3) })).Errors);
        Assert.Contains("404", (await Assert.ThrowsAsync<RecurrentException>(() => LoadBenchmark.RunAsync(options with { Model = "nope" }))).Message);
        Assert.Contains("loopback", (await Assert.ThrowsAsync<RecurrentException>(() =>
            LoadBenchmark.RunAsync(options with { Server = new Uri("http://192.0.2.1:5000") }))).Message);
    }

    /// <summary>On Kestrel a body sent in chunks, with no length announced, is cut off at the limit with a 413 too.</summary>
    [Fact]
    public async Task AChunkedBodyOverTheLimitIs413()
    {
        using ServerFactory server = models.CreateServer(new ServerOptions { MaxBodyBytes = 400 });
        using var client = new HttpClient { BaseAddress = server.StartKestrel() };
        byte[] big = System.Text.Encoding.UTF8.GetBytes($$"""{"text": "{{new string('a', 5000)}}"}""");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/models/words/next") { Content = new UnknownLengthContent(big) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        HttpResponseMessage response = await client.SendAsync(request);
        await response.Problem(HttpStatusCode.RequestEntityTooLarge, "over 400 bytes");
        // A small chunked body still goes through.
        var small = new HttpRequestMessage(HttpMethod.Post, "/v1/models/words/next") { Content = new UnknownLengthContent("""{"text": "the", "k": 2}"""u8.ToArray()) };
        small.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        Assert.Equal(2, (await (await client.SendAsync(small)).Json()).GetProperty("tokens").GetArrayLength());
    }

    /// <summary>A body whose length is not known in advance, so it goes out chunked.</summary>
    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>
    /// Stopping (what SIGTERM does through the host's console lifetime): a request already in flight still gets its
    /// answer, new connections are refused, and the host is down within the drain timeout.
    /// </summary>
    [Fact]
    public async Task StoppingDrainsRequestsInFlightThenCloses()
    {
        using var serving = new ServingContext(new ServerOptions { ComputeSlots = 1, DrainTimeout = TimeSpan.FromSeconds(5) });
        using ModelCatalog catalog = ModelCatalog.Load(models.Specs, serving);
        using IHost host = ServerHost.CreateBuilder(catalog, serving, "http://127.0.0.1:0").Build();
        await host.StartAsync();
        Uri address = new(host.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First());
        using var client = new HttpClient { BaseAddress = address };

        // Hold the only compute slot so that a request is surely in flight when the stop begins.
        using var hold = new ManualResetEventSlim();
        Task holder = Task.Run(() => serving.Gate.RunAsync(() => hold.Wait(TimeSpan.FromSeconds(20)), CancellationToken.None).AsTask());
        while (serving.Gate.Busy == 0) await Task.Delay(5);
        Task<HttpResponseMessage> inFlight = client.PostObject("/v1/models/words/next", new { text = "the cat", k = 3 });
        while (serving.Gate.Waiting == 0) await Task.Delay(5);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Task stopping = host.StopAsync();
        await Task.Delay(300);
        Assert.False(inFlight.IsCompleted);
        hold.Set();
        await holder;
        HttpResponseMessage answer = await inFlight;
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        await stopping;
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {clock.Elapsed}");
        using var fresh = new HttpClient { BaseAddress = address };
        await Assert.ThrowsAsync<HttpRequestException>(() => fresh.GetAsync("/healthz"));
    }

    [Fact]
    public async Task StoppingClosesAGenerationThatOutlastsTheDrain()
    {
        using var serving = new ServingContext(new ServerOptions { MaxGenerateLength = 1_000_000, DrainTimeout = TimeSpan.FromMilliseconds(300) });
        using ModelCatalog catalog = ModelCatalog.Load(models.Specs, serving);
        using IHost host = ServerHost.CreateBuilder(catalog, serving, "http://127.0.0.1:0").Build();
        await host.StartAsync();
        Uri address = new(host.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First());
        using var client = new HttpClient { BaseAddress = address };
        using HttpResponseMessage stream = await client.SendAsync(
            ServerHttp.StreamRequest("/v1/models/chars/generate", """{"length": 1000000}"""), HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal("event: token", await reader.ReadLineAsync());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await host.StopAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {clock.Elapsed}");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (serving.Status.ActiveGenerations != 0 && waited.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(20);
        Assert.Equal(0, serving.Status.ActiveGenerations);
        // The client sees its stream end (closed or cut) rather than hang.
        Task end = Task.Run(async () =>
        {
            try { while (await reader.ReadLineAsync() is not null) { } }
            catch (IOException) { }
            catch (HttpRequestException) { }
        });
        Assert.Same(end, await Task.WhenAny(end, Task.Delay(TimeSpan.FromSeconds(10))));
    }
}
