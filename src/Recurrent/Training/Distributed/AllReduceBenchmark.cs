using System.Diagnostics;

namespace Recurrent.Training.Distributed;

/// <summary>
/// Times <see cref="ICommunicator.AllReduceSum(Span{float})"/> alone, on a buffer the size of a model's fused gradients:
/// what one training step pays for communication when no rank waits for a slower one.
/// </summary>
internal static class AllReduceBenchmark
{
    /// <summary>The median seconds of <paramref name="repeat"/> reduces of <paramref name="floats"/> floats, after one warm-up; every rank must call it.</summary>
    public static double Measure(ICommunicator communicator, int floats, int repeat)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(floats, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeat, 1);
        var buffer = new float[floats];
        buffer.AsSpan().Fill(1f / (communicator.Rank + 1));
        communicator.AllReduceSum(buffer); // warm-up: connections, pages
        var samples = new double[repeat];
        var clock = new Stopwatch();
        for (int i = 0; i < repeat; i++)
        {
            // Starting together measures the reduce, not how late a rank arrives.
            communicator.Barrier();
            clock.Restart();
            communicator.AllReduceSum(buffer);
            samples[i] = clock.Elapsed.TotalSeconds;
        }
        // Each rank's median differs; the slowest rank's is what a step waits for.
        Array.Sort(samples);
        var median = new[] { samples[repeat / 2] };
        var all = new double[communicator.Size];
        all[communicator.Rank] = median[0];
        communicator.AllReduceSum(all);
        return all.Max();
    }
}
