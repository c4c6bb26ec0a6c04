using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Recurrent.Tests.Support;

/// <summary>
/// The <c>recurrent</c> tool run as a real child process (<c>dotnet Recurrent.Cli.dll …</c>), for what an in-process
/// call cannot show: signals, exit codes, resource limits and peak memory. Standard output and error are collected
/// line by line as they come.
/// </summary>
internal sealed partial class CliProcess : IDisposable
{
    public const int SIGHUP = 1, SIGINT = 2, SIGKILL = 9, SIGTERM = 15;

    private readonly Process _process;
    private readonly List<string> _output = new(), _error = new();
    private readonly object _gate = new();

    private CliProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_gate) { _output.Add(e.Data); Monitor.PulseAll(_gate); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_gate) { _error.Add(e.Data); Monitor.PulseAll(_gate); } };
    }

    /// <summary>The tool's assembly, copied beside the tests by the project reference.</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "Recurrent.Cli.dll");

    /// <summary>The <c>dotnet</c> host running the tests, else the one on the PATH.</summary>
    public static string DotnetHost =>
        Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    /// <summary>Starts <c>dotnet Recurrent.Cli.dll <paramref name="args"/></c>.</summary>
    /// <param name="wrapper">A command line to run the tool through (e.g. <c>["/usr/bin/time", "-v"]</c>), or null.</param>
    /// <param name="environment">Extra environment variables.</param>
    public static CliProcess Start(IEnumerable<string> args, IEnumerable<string>? wrapper = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var command = new List<string>(wrapper ?? []);
        command.Add(DotnetHost);
        command.Add(CliDll);
        command.AddRange(args);
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in command.Skip(1)) info.ArgumentList.Add(a);
        // A terminal's live display would make the output depend on the runner; the plain lines are what is read.
        info.Environment["TERM"] = "dumb";
        info.Environment["NO_COLOR"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (environment is not null)
            foreach (var (key, value) in environment) info.Environment[key] = value;
        var process = new Process { StartInfo = info };
        var cli = new CliProcess(process);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    public int Id => _process.Id;

    /// <summary>Standard output so far.</summary>
    public string Output { get { lock (_gate) return string.Join('\n', _output); } }

    /// <summary>Standard error so far.</summary>
    public string Error { get { lock (_gate) return string.Join('\n', _error); } }

    /// <summary>Waits for a line of standard output that satisfies <paramref name="match"/>; false on timeout or exit.</summary>
    public bool WaitForOutput(Func<string, bool> match, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        lock (_gate)
        {
            int seen = 0;
            while (true)
            {
                for (; seen < _output.Count; seen++)
                    if (match(_output[seen])) return true;
                if (_process.HasExited || clock.Elapsed > timeout) return false;
                Monitor.Wait(_gate, TimeSpan.FromMilliseconds(20));
            }
        }
    }

    /// <summary>Waits for the process to end (and its output to be read); false on timeout.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit(); // drains the redirected streams
        return true;
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Runs to the end and returns the exit code; fails the test if it takes longer than <paramref name="timeout"/>.</summary>
    public int Finish(TimeSpan timeout)
    {
        Assert.True(WaitForExit(timeout), $"the tool did not finish within {timeout}.\nstdout:\n{Output}\nstderr:\n{Error}");
        return ExitCode;
    }

    /// <summary>Sends a signal, as <c>kill -SIGNAL pid</c>.</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
