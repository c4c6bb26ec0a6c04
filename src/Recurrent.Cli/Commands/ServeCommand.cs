using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Hosting;
using Recurrent.Kernels;
using Recurrent.Server;
using Recurrent.Server.Models;
using Spectre.Console;

namespace Recurrent.Cli.Commands;

/// <summary>
/// <c>recurrent serve MODEL... [--port 5000] [--host 127.0.0.1]</c>: an HTTP service for checkpoints of every kind
/// (see <see cref="ServerHost"/>), with the playground at <c>/</c> and the OpenAPI document at <c>/openapi/v1.json</c>.
/// SIGTERM or Ctrl-C drains the requests in flight and stops.
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var models = new Argument<string[]>("models")
        {
            Description = "Checkpoint files or run folders (language models, classifiers, taggers) and word-vectors files to serve, each as PATH (named by its file stem) or NAME=PATH. " +
                "Files ending in .vec, .bin or .txt are read as word2vec or GloVe vectors, as is any file given as vectors:PATH or vectors:NAME=PATH.",
            Arity = ArgumentArity.OneOrMore,
        };
        var port = new Option<int>("--port") { Description = "TCP port.", DefaultValueFactory = _ => 5000 };
        var host = new Option<string>("--host") { Description = "Address to listen on (127.0.0.1: this machine only; 0.0.0.0: every interface).", DefaultValueFactory = _ => "127.0.0.1" };
        var defaults = new ServerOptions();
        var maxText = new Option<int>("--max-text-length") { Description = "Longest text, prime or word, in characters (413 over it).", DefaultValueFactory = _ => defaults.MaxTextLength };
        var maxGenerate = new Option<int>("--max-generate-length") { Description = "Most tokens one generate call may ask for.", DefaultValueFactory = _ => defaults.MaxGenerateLength };
        var maxTexts = new Option<int>("--max-batch-texts") { Description = "Most texts per score, classify or tag call (413 over it).", DefaultValueFactory = _ => defaults.MaxBatchTexts };
        var maxBody = new Option<int>("--max-body-bytes") { Description = "Largest request body in bytes (413 over it).", DefaultValueFactory = _ => defaults.MaxBodyBytes };
        var slots = new Option<int>("--compute-slots") { Description = "Requests that compute at once; the others wait for a slot (default: one per core).", DefaultValueFactory = _ => defaults.ComputeSlots };
        var generations = new Option<int>("--generations") { Description = "Generations one model runs at once (each holds buffers over the shared weights); more wait.", DefaultValueFactory = _ => defaults.GenerationsPerModel };
        var nextBatch = new Option<int>("--next-batch") { Description = "Most next requests of one model computed together (one GEMM for their projections); 1 computes each alone.", DefaultValueFactory = _ => defaults.NextBatchSize };
        var nextWindow = new Option<double>("--next-batch-window-ms") { Description = "How long a next request may wait for others to share its batch.", DefaultValueFactory = _ => defaults.NextBatchWindow.TotalMilliseconds };
        var drain = new Option<int>("--drain-seconds") { Description = "On SIGTERM or Ctrl-C, how long requests in flight may finish before their connections are closed.", DefaultValueFactory = _ => (int)defaults.DrainTimeout.TotalSeconds };

        var serve = new Command("serve", "Serve models over HTTP: a JSON API under /v1, a web playground at /, OpenAPI at /openapi/v1.json.");
        serve.Arguments.Add(models);
        foreach (Option option in (Option[])[port, host, maxText, maxGenerate, maxTexts, maxBody, slots, generations, nextBatch, nextWindow, drain]) serve.Options.Add(option);
        serve.SetAction(async (parseResult, cancellation) =>
        {
            CommandTree.ApplyCommon(parseResult);
            var options = new ServerOptions
            {
                MaxTextLength = parseResult.GetValue(maxText),
                MaxGenerateLength = parseResult.GetValue(maxGenerate),
                MaxBatchTexts = parseResult.GetValue(maxTexts),
                MaxBodyBytes = parseResult.GetValue(maxBody),
                ComputeSlots = parseResult.GetValue(slots),
                GenerationsPerModel = parseResult.GetValue(generations),
                NextBatchSize = parseResult.GetValue(nextBatch),
                NextBatchWindow = WindowOf(parseResult.GetValue(nextWindow)),
                DrainTimeout = TimeSpan.FromSeconds(Math.Max(0, parseResult.GetValue(drain))),
            };
            string url = Url(parseResult.GetValue(host)!, parseResult.GetValue(port));
            ModelSpec[] specs = parseResult.GetValue(models)!.Select(ModelSpec.Parse).ToArray();
            using var serving = new ServingContext(options);
            using ModelCatalog catalog = ModelCatalog.Load(specs, serving);

            var table = new Table().AddColumn("name").AddColumn("kind").AddColumn(new TableColumn("vocabulary").RightAligned()).AddColumn(new TableColumn("parameters").RightAligned()).AddColumn("actions");
            foreach (ServedModel model in catalog.Models)
                table.AddRow(Markup.Escape(model.Name), model.Kind, model.VocabularySize.ToString("N0"), model.Parameters.ToString("N0"), string.Join(", ", ModelActions.Of(model)));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"Serving on [bold]{Markup.Escape(url)}[/]: playground at /, API under /v1, OpenAPI at /openapi/v1.json. " +
                $"{options.ComputeSlots} compute slots, {ComputeThreads.Count} kernel threads, next in batches of up to {options.NextBatchSize}. Ctrl-C or SIGTERM stops.");

            using IHost server = ServerHost.CreateBuilder(catalog, serving, url).Build();
            try
            {
                await server.RunAsync(cancellation);
            }
            catch (IOException e) when (e.InnerException is not null || e.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
            {
                throw new RecurrentException($"Cannot listen on {url}: {e.Message}");
            }
            return 0;
        });
        return serve;
    }

    private static TimeSpan WindowOf(double milliseconds) =>
        double.IsFinite(milliseconds) && milliseconds is >= 0 and <= 1000 ? TimeSpan.FromMilliseconds(milliseconds)
            : throw new RecurrentException($"--next-batch-window-ms must be between 0 and 1000, got {milliseconds}.");

    /// <summary>The Kestrel URL for <c>--host</c> and <c>--port</c>.</summary>
    /// <exception cref="RecurrentException">The host is not an IP address or <c>localhost</c>, or the port is out of range.</exception>
    public static string Url(string host, int port)
    {
        if (port is < 0 or > 65535) throw new RecurrentException($"--port must be between 0 and 65535, got {port}.");
        if (host == "localhost") return $"http://localhost:{port}";
        if (!IPAddress.TryParse(host, out IPAddress? address))
            throw new RecurrentException($"--host must be an IP address (127.0.0.1, 0.0.0.0, ::1) or localhost, got '{host}'.");
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"http://[{address}]:{port}" : $"http://{address}:{port}";
    }
}
