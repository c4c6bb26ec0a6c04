using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using Recurrent.Training.Distributed;

namespace Recurrent.Tests.Support;

/// <summary>
/// N ranks as N threads of the test process, for testing data-parallel training without MPI: the collective calls
/// meet at a barrier, and a sum adds the ranks' values in rank order, so every rank gets the same bits, as MPI's
/// reductions give them.
/// </summary>
internal sealed class ThreadCommunicator : ICommunicator
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly Group _group;

    private ThreadCommunicator(Group group, int rank)
    {
        _group = group;
        Rank = rank;
    }

    public int Rank { get; }

    public int Size => _group.Size;

    /// <summary>Collective calls made so far by this rank.</summary>
    public int Calls { get; private set; }

    /// <summary>Runs <paramref name="work"/> on <paramref name="size"/> ranks at once, one thread each; rethrows the first rank's exception.</summary>
    public static T[] Run<T>(int size, Func<ThreadCommunicator, T> work)
    {
        var group = new Group(size);
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = new Thread[size];
        for (int r = 0; r < size; r++)
        {
            int rank = r;
            threads[r] = new Thread(() =>
            {
                try { results[rank] = work(new ThreadCommunicator(group, rank)); }
                catch (Exception e) { errors[rank] = e; group.Fail(); }
            }, 16 << 20) { IsBackground = true, Name = $"rank {rank}" };
            threads[r].Start();
        }
        foreach (Thread t in threads) Assert.True(t.Join(Timeout * 2), "a rank did not finish");
        foreach (Exception? e in errors)
            if (e is not null and not GroupFailedException) ExceptionDispatchInfo.Capture(e).Throw();
        foreach (Exception? e in errors)
            if (e is not null) ExceptionDispatchInfo.Capture(e).Throw();
        return results;
    }

    public void AllReduceSum(Span<float> values)
    {
        Calls++;
        _group.Slots[Rank] = values.ToArray();
        _group.Wait();
        for (int i = 0; i < values.Length; i++)
        {
            float sum = 0;
            for (int r = 0; r < Size; r++) sum += ((float[])_group.Slots[r]!)[i];
            values[i] = sum;
        }
        _group.Wait();
    }

    public void AllReduceSum(Span<double> values)
    {
        Calls++;
        _group.Slots[Rank] = values.ToArray();
        _group.Wait();
        for (int i = 0; i < values.Length; i++)
        {
            double sum = 0;
            for (int r = 0; r < Size; r++) sum += ((double[])_group.Slots[r]!)[i];
            values[i] = sum;
        }
        _group.Wait();
    }

    public void Broadcast(Span<byte> data, int root)
    {
        Calls++;
        if (Rank == root) _group.Slots[root] = data.ToArray();
        _group.Wait();
        ((byte[])_group.Slots[root]!).CopyTo(data);
        _group.Wait();
    }

    public void Barrier()
    {
        Calls++;
        _group.Wait();
    }

    [DoesNotReturn]
    public void Abort(int errorCode) => throw new InvalidOperationException($"rank {Rank} aborted with {errorCode}");

    public void Finish() { }

    private sealed class Group(int size)
    {
        private readonly Barrier _barrier = new(size);
        private volatile bool _failed;

        public int Size { get; } = size;

        public object?[] Slots { get; } = new object?[size];

        public void Fail()
        {
            _failed = true;
            try { _barrier.RemoveParticipant(); } catch (InvalidOperationException) { }
        }

        public void Wait()
        {
            if (_failed || !_barrier.SignalAndWait(Timeout) || _failed) throw new GroupFailedException();
        }
    }

    /// <summary>Another rank failed (or the group timed out): this rank stops too.</summary>
    private sealed class GroupFailedException() : Exception("another rank failed");
}
