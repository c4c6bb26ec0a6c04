using System.CommandLine;
using Recurrent.Server;

namespace Recurrent.Cli.Commands;

/// <summary>
/// <c>recurrent bench serve --model NAME [--url http://127.0.0.1:5000] [--action next] [--clients 64] [--seconds 60]</c>:
/// a load run against a local <c>recurrent serve</c> (see <see cref="LoadBenchmark"/>); one JSON line.
/// </summary>
public static class ServeBenchCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "The server (loopback addresses only).", DefaultValueFactory = _ => "http://127.0.0.1:5000" };
        var model = new Option<string>("--model") { Description = "The served model's name.", Required = true };
        var action = new Option<string>("--action") { Description = "next, score, generate, classify, tag, nearest or vector.", DefaultValueFactory = _ => "next" };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients, each sending its next request when the previous one is answered.", DefaultValueFactory = _ => 64 };
        var seconds = new Option<int>("--seconds") { Description = "How long the load runs.", DefaultValueFactory = _ => 60 };
        var text = new Option<string>("--text") { Description = "The text sent (text, prime, the one entry of texts, or the word of nearest and vector).", DefaultValueFactory = _ => "the company said it" };
        var length = new Option<int>("--length") { Description = "Tokens per generate call.", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "Seconds of load before the measured run, not counted.", DefaultValueFactory = _ => 0 };
        var serve = new Command("serve", "Load a local server with N concurrent clients: requests/s, p50/p99 latency, errors, server memory at start and end.");
        foreach (Option option in (Option[])[url, model, action, clients, seconds, text, length, warmup]) serve.Options.Add(option);
        serve.SetAction(async (parseResult, cancellation) =>
        {
            if (!Uri.TryCreate(parseResult.GetValue(url), UriKind.Absolute, out Uri? server) || server.Scheme is not ("http" or "https"))
                throw new RecurrentException($"--url must be an http address such as http://127.0.0.1:5000, got '{parseResult.GetValue(url)}'.");
            var options = new LoadBenchmarkOptions(server, parseResult.GetValue(model)!, parseResult.GetValue(action)!, parseResult.GetValue(clients),
                TimeSpan.FromSeconds(parseResult.GetValue(seconds)), parseResult.GetValue(text)!)
            {
                GenerateLength = parseResult.GetValue(length),
                Warmup = TimeSpan.FromSeconds(Math.Max(0, parseResult.GetValue(warmup))),
            };
            LoadBenchmarkResult result = await LoadBenchmark.RunAsync(options, cancellation);
            Console.WriteLine(result.ToJson());
            return 0;
        });
        return serve;
    }
}
