using System.Diagnostics.CodeAnalysis;

namespace Recurrent.Training.Distributed;

/// <summary>The communicator of a process that trains alone: rank 0 of 1, and every collective call is the identity.</summary>
internal sealed class SingleProcess : ICommunicator
{
    public static SingleProcess Instance { get; } = new();

    private SingleProcess() { }

    public int Rank => 0;

    public int Size => 1;

    public void AllReduceSum(Span<float> values) { }

    public void AllReduceSum(Span<double> values) { }

    public void Broadcast(Span<byte> data, int root)
    {
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), root, "The only rank is 0.");
    }

    public void Barrier() { }

    [DoesNotReturn]
    public void Abort(int errorCode) => Environment.Exit(errorCode);

    public void Finish() { }
}
