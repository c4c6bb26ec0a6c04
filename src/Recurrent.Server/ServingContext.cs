namespace Recurrent.Server;

/// <summary>What every served model shares: the limits, the compute slots and the status counters.</summary>
public sealed class ServingContext(ServerOptions options) : IDisposable
{
    public ServerOptions Options { get; } = Validated(options);

    public ComputeGate Gate { get; } = new(options.ComputeSlots);

    public ServerStatus Status { get; } = new();

    private static ServerOptions Validated(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    public void Dispose() => Gate.Dispose();
}
