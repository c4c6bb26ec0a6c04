namespace Recurrent.Tests.Support;

/// <summary>
/// A test that runs the tool under Open MPI's <c>mpirun</c> (Debian package <c>openmpi-bin</c>, which <c>.ci/run</c>
/// installs). Where mpirun is missing the test is reported as skipped, with the reason, instead of passing without
/// having run. <c>RECURRENT_MPIRUN</c> overrides the path.
/// </summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "Needs Linux and Open MPI's mpirun.";
        else if (Mpi.Run is null) Skip = "Open MPI is not installed (no mpirun on the PATH): apt-get install openmpi-bin, or set RECURRENT_MPIRUN.";
    }
}

/// <summary>Where the MPI tests find mpirun, and how they start the tool under it.</summary>
public static class Mpi
{
    /// <summary><c>RECURRENT_MPIRUN</c>, else <c>mpirun</c> on the PATH, else null.</summary>
    public static string? Run =>
        Environment.GetEnvironmentVariable("RECURRENT_MPIRUN") is { Length: > 0 } configured ? configured
        : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);

    /// <summary>The command line that starts <paramref name="ranks"/> processes on this machine, whatever its cores and user (CI runs as root).</summary>
    public static string[] Launcher(int ranks) => [Run!, "-np", ranks.ToString(), "--oversubscribe", "--allow-run-as-root"];
}
