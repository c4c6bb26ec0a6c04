using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Recurrent.Server;
using Recurrent.Server.Models;

namespace Recurrent.Tests.Server;

/// <summary>
/// The server of <c>recurrent serve</c> (<see cref="ServerHost.CreateBuilder"/>) over checkpoints loaded from disk,
/// in memory (<see cref="WebApplicationFactory{TEntryPoint}.CreateClient()"/>) or, after <see cref="StartKestrel"/>,
/// on a loopback port for a browser. The factory wants a class of an assembly with an entry point: any class of the
/// CLI, whose <c>serve</c> builds this same host, will do (its <c>Program</c> is static). The host is built by
/// <see cref="CreateHostBuilder"/>; <c>Main</c> never runs.
/// </summary>
public sealed class ServerFactory : WebApplicationFactory<Recurrent.Cli.Commands.SamplingOptions>
{
    public ServerFactory(IReadOnlyList<ModelSpec> specs, ServerOptions options)
    {
        Serving = new ServingContext(options);
        Catalog = ModelCatalog.Load(specs, Serving);
    }

    public ServingContext Serving { get; }

    public ModelCatalog Catalog { get; }

    protected override IHostBuilder CreateHostBuilder() => ServerHost.CreateBuilder(Catalog, Serving);

    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseContentRoot(AppContext.BaseDirectory);

    /// <summary>Starts Kestrel on a free loopback port and returns its address (<c>http://127.0.0.1:PORT</c>).</summary>
    public Uri StartKestrel()
    {
        UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        StartServer();
        string address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        Catalog.Dispose();
        Serving.Dispose();
    }
}
