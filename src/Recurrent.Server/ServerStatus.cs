using System.Diagnostics;

namespace Recurrent.Server;

/// <summary>Counters behind <c>/healthz</c>: generations in flight and tokens drawn since start.</summary>
public sealed class ServerStatus
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _activeGenerations;
    private long _generatedTokens;

    public int ActiveGenerations => Volatile.Read(ref _activeGenerations);

    public long GeneratedTokens => Interlocked.Read(ref _generatedTokens);

    public TimeSpan Uptime => Stopwatch.GetElapsedTime(_started);

    internal void GenerationStarted() => Interlocked.Increment(ref _activeGenerations);

    internal void GenerationEnded() => Interlocked.Decrement(ref _activeGenerations);

    internal void TokenGenerated() => Interlocked.Increment(ref _generatedTokens);
}
