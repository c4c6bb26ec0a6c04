using System.Diagnostics.CodeAnalysis;

namespace Recurrent.Training.Distributed;

/// <summary>
/// The processes that train one model together, data parallel, as MPI's world communicator sees them: each has a
/// <see cref="Rank"/> in <c>[0, Size)</c>, and every collective call below must be made by all of them, in the same
/// order, or the job hangs.
/// </summary>
/// <remarks>
/// <see cref="SingleProcess"/> is the communicator of a process training alone (every call is the identity);
/// <see cref="OpenMpiCommunicator"/> is the one of a process started by <c>mpirun</c>. <see cref="Cluster.World"/>
/// picks between them.
/// </remarks>
internal interface ICommunicator
{
    /// <summary>This process's index, <c>0 .. Size−1</c>; rank 0 is the root, the one that writes files and reports.</summary>
    int Rank { get; }

    /// <summary>Processes in the job.</summary>
    int Size { get; }

    /// <summary>True on rank 0, the process that prints, writes files and checkpoints.</summary>
    bool IsRoot => Rank == 0;

    /// <summary><c>values[i] ← Σ_r values_r[i]</c> on every rank (MPI_Allreduce with MPI_SUM, in place).</summary>
    void AllReduceSum(Span<float> values);

    /// <summary><c>values[i] ← Σ_r values_r[i]</c> on every rank, in double.</summary>
    void AllReduceSum(Span<double> values);

    /// <summary><c>data ← data_root</c> on every rank (MPI_Bcast).</summary>
    void Broadcast(Span<byte> data, int root);

    /// <summary>Returns once every rank has called it (MPI_Barrier).</summary>
    void Barrier();

    /// <summary>
    /// Ends every process of the job at once with exit code <paramref name="errorCode"/> (MPI_Abort): what a rank
    /// that failed does, so that the others do not wait for it forever in their next collective call.
    /// </summary>
    [DoesNotReturn]
    void Abort(int errorCode);

    /// <summary>Ends this process's part in the job (MPI_Finalize) after its last collective call; waits for the others.</summary>
    void Finish();
}
