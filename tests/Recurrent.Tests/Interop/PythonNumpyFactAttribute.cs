using System.Diagnostics;

namespace Recurrent.Tests.Interop;

/// <summary>
/// A test that runs a tool of <c>tools/</c> with Debian's Python and numpy (<c>/usr/bin/python3</c>, package
/// <c>python3-numpy</c>); where either is missing the test is reported as skipped, with the reason, instead of
/// passing without having run. <c>RECURRENT_PYTHON</c> overrides the interpreter.
/// </summary>
public sealed class PythonNumpyFactAttribute : FactAttribute
{
    public PythonNumpyFactAttribute()
    {
        if (Problem.Value is { } reason) Skip = reason;
    }

    public static string Python => Environment.GetEnvironmentVariable("RECURRENT_PYTHON") ?? "/usr/bin/python3";

    private static readonly Lazy<string?> Problem = new(() =>
    {
        if (!File.Exists(Python)) return $"Python is not installed ({Python} is missing): apt-get install python3 python3-numpy, or set RECURRENT_PYTHON.";
        try
        {
            using var process = Process.Start(new ProcessStartInfo(Python, ["-c", "import numpy"]) { RedirectStandardError = true, UseShellExecute = false })!;
            process.WaitForExit(30_000);
            return process.ExitCode == 0 ? null : $"numpy is not installed for {Python}: apt-get install python3-numpy.";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{Python} cannot be started: {e.Message}";
        }
    });
}
