using System.Diagnostics;
using Recurrent.Server.Api;

namespace Recurrent.Server;

/// <summary>Counters behind <c>/healthz</c>: generations in flight, tokens drawn, and where the time of <c>next</c> goes.</summary>
public sealed class ServerStatus
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _activeGenerations;
    private long _generatedTokens;
    private long _nextRequests, _nextBatches, _nextQueueTicks, _nextComputeTicks, _nextBatchTicks;
    private long _nextRecurrentTicks, _nextProjectionTicks, _nextSoftmaxTicks;

    public int ActiveGenerations => Volatile.Read(ref _activeGenerations);

    public long GeneratedTokens => Interlocked.Read(ref _generatedTokens);

    public TimeSpan Uptime => Stopwatch.GetElapsedTime(_started);

    /// <summary>The <c>next</c> counters since start, every model together.</summary>
    public NextStatistics Next
    {
        get
        {
            static double Seconds(ref long ticks) => (double)Interlocked.Read(ref ticks) / Stopwatch.Frequency;
            return new NextStatistics(Interlocked.Read(ref _nextRequests), Interlocked.Read(ref _nextBatches), Seconds(ref _nextQueueTicks),
                Seconds(ref _nextComputeTicks), Seconds(ref _nextBatchTicks), Seconds(ref _nextRecurrentTicks), Seconds(ref _nextProjectionTicks),
                Seconds(ref _nextSoftmaxTicks));
        }
    }

    internal void GenerationStarted() => Interlocked.Increment(ref _activeGenerations);

    internal void GenerationEnded() => Interlocked.Decrement(ref _activeGenerations);

    internal void TokenGenerated() => Interlocked.Increment(ref _generatedTokens);

    /// <summary>
    /// One computed batch of <paramref name="requests"/> <c>next</c> requests (1 without batching): their summed wait
    /// from arrival to the start of the computation, and the computation's wall time with its model phases (zero
    /// where not measured).
    /// </summary>
    internal void NextComputed(int requests, long queueTicks, long computeTicks, long recurrentTicks = 0, long projectionTicks = 0, long softmaxTicks = 0)
    {
        Interlocked.Add(ref _nextRequests, requests);
        Interlocked.Increment(ref _nextBatches);
        Interlocked.Add(ref _nextQueueTicks, queueTicks);
        Interlocked.Add(ref _nextComputeTicks, computeTicks * requests);
        Interlocked.Add(ref _nextBatchTicks, computeTicks);
        Interlocked.Add(ref _nextRecurrentTicks, recurrentTicks);
        Interlocked.Add(ref _nextProjectionTicks, projectionTicks);
        Interlocked.Add(ref _nextSoftmaxTicks, softmaxTicks);
    }
}
