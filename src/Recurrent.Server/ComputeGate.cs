namespace Recurrent.Server;

/// <summary>
/// Bounds how many requests compute at once (<see cref="ServerOptions.ComputeSlots"/>). A request waits for a slot
/// asynchronously, holding no thread, then computes synchronously on the thread it resumed on and gives the slot
/// back: however many requests arrive, at most that many threads run model code.
/// </summary>
/// <remarks>
/// The slot is taken per step, not per request: a generation takes one for each token, so long generations
/// interleave with short requests instead of holding a core for seconds.
/// </remarks>
public sealed class ComputeGate : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private int _waiting;

    public ComputeGate(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        Slots = slots;
        _slots = new SemaphoreSlim(slots, slots);
    }

    /// <summary>How many requests may compute at once.</summary>
    public int Slots { get; }

    /// <summary>Requests waiting for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Requests computing now.</summary>
    public int Busy => Slots - _slots.CurrentCount;

    /// <summary>Waits for a slot, runs <paramref name="work"/> on this thread, and frees the slot.</summary>
    /// <exception cref="OperationCanceledException">Cancelled while waiting (the client left, or the server is stopping).</exception>
    public async ValueTask<T> RunAsync<T>(Func<T> work, CancellationToken cancellation)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _slots.WaitAsync(cancellation).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        try
        {
            return work();
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
