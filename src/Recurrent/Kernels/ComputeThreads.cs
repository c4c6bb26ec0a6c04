namespace Recurrent.Kernels;

/// <summary>
/// How many threads the compute kernels use, and the parallel loop they share.
/// </summary>
public static class ComputeThreads
{
    private static int _count = Environment.ProcessorCount;

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
    public static void For(int count, Action<int> body)
    {
        if (count <= 0) return;
        if (count == 1 || _count == 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _count }, body);
    }
}
