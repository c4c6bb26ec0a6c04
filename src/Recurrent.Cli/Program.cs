using System.CommandLine;
using System.Reflection;
using Recurrent;
using Recurrent.Cli.Commands;
using Recurrent.Training.Distributed;
using Spectre.Console;

namespace Recurrent.Cli;

/// <summary>
/// Entry point of the <c>recurrent</c> tool: builds the command tree, and is the one place where every exception
/// ends, so that no stack trace reaches the user unasked.
/// </summary>
/// <remarks>
/// Exit codes (also in docs/reliability.md):
/// <list type="table">
/// <item><term>0</term><description>done.</description></item>
/// <item><term>1</term><description>the command line did not parse (System.CommandLine's own message).</description></item>
/// <item><term>2</term><description>a user mistake (<see cref="RecurrentException"/>): one line <c>error: …</c>.</description></item>
/// <item><term>70</term><description>a bug (any other exception, EX_SOFTWARE of sysexits.h): one line and the path of a crash log
/// (see <see cref="CrashLog"/>); <c>--verbose</c> prints the trace instead.</description></item>
/// <item><term>129, 130, 143</term><description>stopped by SIGHUP, SIGINT (Ctrl-C) or SIGTERM, 128 + the signal's number as a shell
/// reports it (see <see cref="ShutdownSignals"/>).</description></item>
/// </list>
/// </remarks>
public static class Program
{
    /// <summary>A user mistake: the message says what to change.</summary>
    public const int UserErrorExitCode = 2;

    /// <summary>An unexpected exception: a bug, recorded in a crash log (EX_SOFTWARE).</summary>
    public const int BugExitCode = 70;

    public static int Main(string[] args)
    {
        if (!StartCluster()) return UserErrorExitCode;
        int code = Run(args, CommandTree.Create(), Console.Error, CrashLog.DefaultDirectory());
        // Under mpirun a rank that failed aborts the whole job, so that no other rank waits for it forever.
        return Cluster.Exit(code, failed: code != 0 && !IsStopCode(code));
    }

    /// <summary>
    /// Under mpirun: initialises MPI before anything else, and lets only rank 0 write to standard output (the others
    /// keep standard error, so a rank that fails still says why). Without mpirun: nothing (no MPI is loaded).
    /// </summary>
    /// <returns>False when MPI could not be started (the reason is printed).</returns>
    private static bool StartCluster()
    {
        if (!Cluster.IsLaunchedByMpi) return true;
        ICommunicator world;
        try
        {
            world = Cluster.World;
        }
        catch (RecurrentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return false;
        }
        if (!world.IsRoot)
        {
            Console.SetOut(TextWriter.Null);
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
        }
        return true;
    }

    /// <summary>The exit codes of a run stopped on request (SIGHUP, SIGINT, SIGTERM): not failures.</summary>
    private static bool IsStopCode(int code) =>
        code == ShutdownSignals.StoppedExitCode || code == ShutdownSignals.ExitCodeOf(System.Runtime.InteropServices.PosixSignal.SIGHUP)
        || code == ShutdownSignals.ExitCodeOf(System.Runtime.InteropServices.PosixSignal.SIGTERM);

    /// <summary>Parses and runs <paramref name="args"/> on <paramref name="root"/>; every exception becomes one line on <paramref name="error"/>.</summary>
    /// <param name="crashDirectory">Where a bug's crash log goes.</param>
    public static int Run(string[] args, Command root, TextWriter error, string crashDirectory)
    {
        bool verbose = args.Contains(CommandTree.Verbose.Name);
        try
        {
            ParseResult result = root.Parse(args);
            verbose = result.GetValue(CommandTree.Verbose);
            int code = result.Invoke(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                // Training commands handle Ctrl-C and SIGTERM themselves (save a checkpoint, then exit), which can take
                // longer than System.CommandLine's default grace period before it kills the process.
                ProcessTerminationTimeout = null,
            });
            // A train command returns 130 when it stopped on request; say which signal asked.
            return code == ShutdownSignals.StoppedExitCode && ShutdownSignals.Received is { } signal ? ShutdownSignals.ExitCodeOf(signal) : code;
        }
        catch (Exception thrown)
        {
            Exception e = Unwrap(thrown);
            switch (e)
            {
                case RecurrentException:
                    error.WriteLine(verbose ? $"error: {e}" : $"error: {e.Message}");
                    return UserErrorExitCode;
                case OperationCanceledException:
                    error.WriteLine("stopped.");
                    return ShutdownSignals.Received is { } signal ? ShutdownSignals.ExitCodeOf(signal) : ShutdownSignals.StoppedExitCode;
                default:
                    if (verbose)
                    {
                        error.WriteLine($"internal error: {e}");
                        return BugExitCode;
                    }
                    string? log = CrashLog.Write(crashDirectory, args, e);
                    error.WriteLine(log is null
                        ? $"internal error ({e.GetType().Name}): {e.Message} This is a bug in recurrent; the crash log could not be written, run again with --verbose to see the details."
                        : $"internal error ({e.GetType().Name}): {e.Message} This is a bug in recurrent; the details are in {log} (or run again with --verbose).");
                    return BugExitCode;
            }
        }
    }

    /// <summary>The exception that matters inside the wrappers an invocation may add (a faulted task, a reflection call).</summary>
    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case AggregateException { InnerExceptions.Count: 1 } aggregate:
                    e = aggregate.InnerExceptions[0];
                    continue;
                case TargetInvocationException { InnerException: { } inner }:
                    e = inner;
                    continue;
                default:
                    return e;
            }
        }
    }
}
