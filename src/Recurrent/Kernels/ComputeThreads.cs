using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Recurrent.Kernels;

/// <summary>One parallel loop body for <see cref="ComputeThreads.For{TWork}(int, in TWork)"/>: called once per index.</summary>
/// <remarks>Implement it on a struct that carries the loop's state, so that starting a loop allocates nothing.</remarks>
internal interface IParallelWork
{
    /// <summary>Does the work of index <paramref name="index"/>. Called concurrently for different indices.</summary>
    void Execute(int index);
}

/// <summary>
/// How many threads the compute kernels use, and the parallel loop they share.
/// </summary>
/// <remarks>
/// <para>
/// The loop runs on a small persistent pool: <see cref="Count"/> − 1 background workers plus the calling
/// thread, which always takes part. Indices are handed out one at a time from a shared counter, so a
/// worker that wakes late simply finds less to do. Between loops the workers spin for
/// <see cref="SpinMicroseconds"/> (back-to-back kernel calls, as in a recurrent time step, then cost no
/// wake-up) and afterwards block on a monitor so an idle pool uses no CPU.
/// </para>
/// <para>
/// One loop runs on the pool at a time. A loop started while the pool is busy (from another thread, or
/// from inside a loop body) runs all its indices on the calling thread; kernels whose results do not
/// depend on the partition, such as <see cref="Gemm"/>, give the same answer either way.
/// The first exception thrown by a body is rethrown on the calling thread once every index has stopped.
/// </para>
/// </remarks>
public static class ComputeThreads
{
    private static int _count = Environment.ProcessorCount;

    /// <summary>How long an idle worker polls for the next loop before it blocks.</summary>
    internal const int SpinMicroseconds = 100;

    /// <summary>Threads used by the kernels (the CLI's <c>--threads</c>); defaults to all cores.</summary>
    public static int Count
    {
        get => _count;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), "At least one thread is needed.");
            _count = value;
        }
    }

    /// <summary>Runs <paramref name="body"/> for every index in [0, <paramref name="count"/>) on up to <see cref="Count"/> threads.</summary>
    /// <remarks>Convenient, but allocates a small closure wrapper per call in the caller; hot kernels use the struct overload.</remarks>
    internal static void For(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        For(count, new DelegateWork(body));
    }

    /// <summary>
    /// Runs <c>work.Execute(i)</c> for every index i in [0, <paramref name="count"/>) on up to
    /// <see cref="Count"/> threads. Allocation-free when <typeparamref name="TWork"/> is a struct.
    /// </summary>
    internal static void For<TWork>(int count, in TWork work) where TWork : struct, IParallelWork
        => For(count, _count, work);

    /// <summary>As <see cref="For{TWork}(int, in TWork)"/> with an explicit thread limit (tests and benchmarks).</summary>
    internal static void For<TWork>(int count, int threads, in TWork work) where TWork : struct, IParallelWork
    {
        if (count <= 0) return;
        threads = Math.Min(count, threads);
        if (threads <= 1 || !WorkerPool.TryEnter())
        {
            for (int i = 0; i < count; i++) work.Execute(i);
            return;
        }
        try
        {
            WorkSlot<TWork>.Value = work;
            WorkerPool.Run(count, threads, WorkSlot<TWork>.Execute);
        }
        finally
        {
            WorkSlot<TWork>.Value = default;
            WorkerPool.Exit();
        }
    }

    private readonly struct DelegateWork(Action<int> body) : IParallelWork
    {
        public void Execute(int index) => body(index);
    }

    /// <summary>
    /// Where the current loop's struct waits for the workers. Written only by the thread that holds the pool,
    /// so one static slot per work type suffices, and the cached delegate makes the hand-over allocation-free.
    /// </summary>
    private static class WorkSlot<TWork> where TWork : struct, IParallelWork
    {
        public static TWork Value;
        public static readonly Action<int> Execute = static index => Value.Execute(index);
    }

    /// <summary>The persistent workers and the state of the loop they are running.</summary>
    private static class WorkerPool
    {
        private static int _busy;
        private static Worker[] _workers = [];

        // The running loop. Written by the owner before it signals the workers and stable until every
        // worker that joined has left (see _joined), so workers may read them without locks.
        private static Action<int>? _body;
        private static int _count;
        private static int _next;

        // Workers inside the current loop, plus Closed once the owner has run out of indices. A worker joins
        // only while the loop is open, so one that wakes late (descheduled by other processes) finds it closed
        // and goes back to waiting instead of making the owner wait for it to turn up.
        private const int Closed = 1 << 30;
        private static int _joined;
        private static ExceptionDispatchInfo? _error;
        private static readonly object _doneGate = new();
        private static int _ownerSleeping;

        // The workers a default loop needs are made when the pool is first touched, not by the first loop
        // that finds it free: that loop may come after warm-up, and a step that allocates a thread only
        // sometimes is exactly what the no-allocation guarantee rules out.
        static WorkerPool() => Grow(Math.Max(0, Environment.ProcessorCount - 1));

        public static bool TryEnter() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

        public static void Exit() => Volatile.Write(ref _busy, 0);

        public static void Run(int count, int threads, Action<int> body)
        {
            int helpers = threads - 1;
            if (_workers.Length < helpers) Grow(helpers);
            _body = body;
            _count = count;
            _next = 0;
            _error = null;
            // Opening the loop publishes the fields above (release) to workers that join it.
            Volatile.Write(ref _joined, 0);
            for (int w = 0; w < helpers; w++) _workers[w].Signal();

            Drain();
            // Every index is taken: close the loop, then wait only for the workers that joined it.
            if (Interlocked.Add(ref _joined, Closed) != Closed) WaitForWorkers();
            _body = null;
            ExceptionDispatchInfo? error = _error;
            _error = null;
            error?.Throw();
        }

        /// <summary>Takes indices of the current loop until none are left. Run by the owner and by each signalled worker.</summary>
        public static void Drain()
        {
            Action<int> body = _body!;
            int count = _count;
            try
            {
                int i;
                while ((i = Interlocked.Increment(ref _next) - 1) < count) body(i);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null);
                // Stop handing out indices; the others finish the index they hold.
                Interlocked.Exchange(ref _next, count);
            }
        }

        /// <summary>
        /// Waits until every signalled worker has finished: spins briefly (the usual case, the last chunk ends
        /// within microseconds), then blocks, so that when the cores are oversubscribed the owner does not burn
        /// the time slice a descheduled worker needs to finish its chunk.
        /// </summary>
        private static void WaitForWorkers()
        {
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _joined) != Closed)
            {
                if (Stopwatch.GetTimestamp() - start > Worker.SpinTicks)
                {
                    lock (_doneGate)
                    {
                        // Same handshake as Worker.WaitForSignal: publish, then re-check under the lock.
                        Interlocked.Exchange(ref _ownerSleeping, 1);
                        while (Volatile.Read(ref _joined) != Closed) Monitor.Wait(_doneGate);
                        Volatile.Write(ref _ownerSleeping, 0);
                    }
                    return;
                }
                Thread.SpinWait(20);
            }
        }

        /// <summary>Enters the current loop unless the owner has already closed it (then there is nothing left to do).</summary>
        public static bool TryJoin()
        {
            int state = Volatile.Read(ref _joined);
            while ((state & Closed) == 0)
            {
                int seen = Interlocked.CompareExchange(ref _joined, state + 1, state);
                if (seen == state) return true;
                state = seen;
            }
            return false;
        }

        /// <summary>Leaves the loop joined with <see cref="TryJoin"/>; the last one out of a closed loop wakes the owner.</summary>
        public static void WorkerDone()
        {
            if (Interlocked.Decrement(ref _joined) == Closed && Volatile.Read(ref _ownerSleeping) != 0)
            {
                lock (_doneGate) Monitor.Pulse(_doneGate);
            }
        }

        private static void Grow(int helpers)
        {
            var workers = new Worker[helpers];
            Array.Copy(_workers, workers, _workers.Length);
            for (int w = _workers.Length; w < helpers; w++) workers[w] = new Worker(w);
            _workers = workers;
        }
    }

    private sealed class Worker
    {
        public static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

        private readonly object _gate = new();
        private int _signal;
        private int _sleeping;
        private int _seen;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Recurrent compute {index + 1}" };
            thread.UnsafeStart();
        }

        /// <summary>Starts the worker on the current loop. The full fence of the increment orders it before the read of <c>_sleeping</c>.</summary>
        public void Signal()
        {
            Interlocked.Increment(ref _signal);
            if (Volatile.Read(ref _sleeping) != 0)
            {
                lock (_gate) Monitor.Pulse(_gate);
            }
        }

        private void Loop()
        {
            while (true)
            {
                WaitForSignal();
                if (!WorkerPool.TryJoin()) continue;
                WorkerPool.Drain();
                WorkerPool.WorkerDone();
            }
        }

        private void WaitForSignal()
        {
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _signal) == _seen)
            {
                if (Stopwatch.GetTimestamp() - start > SpinTicks)
                {
                    lock (_gate)
                    {
                        // Publish that we sleep before re-checking the signal (the mirror image of Signal),
                        // so either we see the new signal or the signaller sees us sleeping and pulses.
                        Interlocked.Exchange(ref _sleeping, 1);
                        while (Volatile.Read(ref _signal) == _seen) Monitor.Wait(_gate);
                        Volatile.Write(ref _sleeping, 0);
                    }
                    break;
                }
                Thread.SpinWait(20);
            }
            // Signals that arrive from here on wake the worker again. A signal for a loop that has already
            // closed is harmless: TryJoin refuses it, or it joins a later loop, whose indices are all it can take.
            _seen = Volatile.Read(ref _signal);
        }
    }
}
