using System.Collections.Concurrent;

namespace Recurrent.Server;

/// <summary>
/// Inference objects of one model (each with its own buffers over the model's shared, read-only weights), lent to
/// one request at a time. They are made on first need, up to a capacity; past it, requests wait for one to come
/// back. None is ever used by two requests at once, which is all their thread safety needs.
/// </summary>
public sealed class InferencePool<T> : IDisposable where T : class
{
    private readonly Func<T> _create;
    private readonly ConcurrentBag<T> _idle = [];
    private readonly SemaphoreSlim _available;
    private int _created;

    public InferencePool(Func<T> create, int capacity)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _create = create;
        Capacity = capacity;
        _available = new SemaphoreSlim(capacity, capacity);
    }

    public int Capacity { get; }

    /// <summary>Objects made so far (never more than <see cref="Capacity"/>).</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>Objects lent out now.</summary>
    public int InUse => Capacity - _available.CurrentCount;

    /// <summary>Borrows an object; dispose the lease to give it back.</summary>
    public async ValueTask<Lease> RentAsync(CancellationToken cancellation)
    {
        await _available.WaitAsync(cancellation).ConfigureAwait(false);
        if (_idle.TryTake(out T? item)) return new Lease(this, item);
        try
        {
            item = _create();
            Interlocked.Increment(ref _created);
            return new Lease(this, item);
        }
        catch
        {
            _available.Release();
            throw;
        }
    }

    private void Return(T item)
    {
        _idle.Add(item);
        _available.Release();
    }

    public void Dispose() => _available.Dispose();

    /// <summary>One borrowed object; disposing it returns the object to the pool (once).</summary>
    public sealed class Lease : IDisposable
    {
        private InferencePool<T>? _pool;

        internal Lease(InferencePool<T> pool, T item)
        {
            _pool = pool;
            Item = item;
        }

        public T Item { get; }

        public void Dispose() => Interlocked.Exchange(ref _pool, null)?.Return(Item);
    }
}
