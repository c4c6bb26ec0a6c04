namespace Recurrent.Training.Distributed;

/// <summary>
/// The processes this one trains with: Open MPI's world when the process was started by <c>mpirun</c> (or another
/// PMIx launcher), else this process alone. MPI is loaded and initialised only in the first case, so the tool needs
/// no MPI installed to run on its own.
/// </summary>
internal static class Cluster
{
    /// <summary>Set by Open MPI's <c>mpirun</c> in every process it starts.</summary>
    public const string OpenMpiSizeVariable = "OMPI_COMM_WORLD_SIZE";

    /// <summary>Set by PMIx launchers (Open MPI's own, Slurm's <c>srun --mpi=pmix</c>) in every process they start.</summary>
    public const string PmixRankVariable = "PMIX_RANK";

    private static readonly object Gate = new();
    private static ICommunicator? s_world;

    /// <summary>True when a launcher started this process as one of an MPI job.</summary>
    public static bool IsLaunchedByMpi =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OpenMpiSizeVariable))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PmixRankVariable));

    /// <summary>True once <see cref="World"/> has been created (and so MPI initialised, under mpirun).</summary>
    public static bool IsStarted => Volatile.Read(ref s_world) is not null;

    /// <summary>
    /// This process's communicator: <see cref="OpenMpiCommunicator"/> when <see cref="IsLaunchedByMpi"/> (MPI is
    /// initialised on first use), else <see cref="SingleProcess"/>.
    /// </summary>
    /// <exception cref="RecurrentException">Started by mpirun, but Open MPI cannot be loaded or initialised.</exception>
    public static ICommunicator World
    {
        get
        {
            if (Volatile.Read(ref s_world) is { } world) return world;
            lock (Gate)
            {
                s_world ??= IsLaunchedByMpi ? OpenMpiCommunicator.Initialize() : SingleProcess.Instance;
                return s_world;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the root first and then, once it is done, on every other rank: for work that
    /// writes a file the others then find ready (the token ids of a corpus), rather than every rank writing it at once.
    /// </summary>
    public static T RootFirst<T>(this ICommunicator communicator, Func<T> work)
    {
        if (communicator.Size == 1) return work();
        T result = default!;
        if (communicator.IsRoot) result = work();
        communicator.Barrier();
        if (!communicator.IsRoot) result = work();
        return result;
    }

    /// <summary>
    /// Ends this process's part in the job with the command's exit code: after success or a clean stop every rank
    /// finalises MPI (waiting for the others); after a failure the rank aborts the whole job (MPI_Abort), so that no
    /// other rank waits forever for it. Does nothing when MPI was never started.
    /// </summary>
    /// <param name="failed">Whether the command failed (a user mistake or a bug) rather than completed or stopped on request.</param>
    /// <returns><paramref name="exitCode"/>, when the process is to go on and exit with it.</returns>
    public static int Exit(int exitCode, bool failed)
    {
        if (Volatile.Read(ref s_world) is not { } world || world is SingleProcess) return exitCode;
        if (failed) world.Abort(exitCode == 0 ? 1 : exitCode);
        world.Finish();
        return exitCode;
    }
}
