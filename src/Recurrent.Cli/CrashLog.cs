using System.Runtime.InteropServices;
using System.Text;
using Recurrent.Training;

namespace Recurrent.Cli;

/// <summary>
/// Where an unexpected exception (a bug, not a user mistake) is recorded: one file per crash holding the command
/// line, the versions and the full exception, so the user sees one line and can attach the file to a bug report.
/// </summary>
public static class CrashLog
{
    /// <summary>
    /// <c>$XDG_STATE_HOME/recurrent/crash</c>, else <c>~/.local/state/recurrent/crash</c> (the XDG base-directory
    /// default), else <c>recurrent/crash</c> under the temp folder when there is no home folder.
    /// </summary>
    public static string DefaultDirectory() =>
        DefaultDirectory(Environment.GetEnvironmentVariable("XDG_STATE_HOME"), Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>As <see cref="DefaultDirectory()"/> for a given <c>XDG_STATE_HOME</c> value and home folder.</summary>
    public static string DefaultDirectory(string? xdgStateHome, string? home)
    {
        string? state = xdgStateHome;
        if (string.IsNullOrEmpty(state) || !Path.IsPathRooted(state)) // the XDG spec says to ignore a relative path
            state = string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".local", "state");
        return state is null
            ? Path.Combine(Path.GetTempPath(), "recurrent", "crash")
            : Path.Combine(state, "recurrent", "crash");
    }

    /// <summary>
    /// Writes the log of <paramref name="exception"/> into <paramref name="directory"/>, falling back to the temp
    /// folder when that cannot be written.
    /// </summary>
    /// <returns>The file written, or null when neither folder could take it.</returns>
    public static string? Write(string directory, IReadOnlyList<string> args, Exception exception)
    {
        string text = Format(args, exception);
        string name = $"crash-{DateTime.Now:yyyyMMdd-HHmmss}-{Environment.ProcessId}.log";
        foreach (string folder in (string[])[directory, Path.Combine(Path.GetTempPath(), "recurrent", "crash")])
        {
            string path = Path.Combine(folder, name);
            try
            {
                AtomicFile.WriteAllText(path, text);
                return path;
            }
            catch (RecurrentException)
            {
                // Try the next folder.
            }
        }
        return null;
    }

    /// <summary>The log's text: when, what was run, on what, and the exception with its inner exceptions and traces.</summary>
    public static string Format(IReadOnlyList<string> args, Exception exception)
    {
        var text = new StringBuilder();
        text.AppendLine($"time: {DateTimeOffset.Now:O}");
        text.AppendLine($"command: recurrent {string.Join(' ', args.Select(Quote))}");
        text.AppendLine($"working folder: {Environment.CurrentDirectory}");
        text.AppendLine($"version: {typeof(CrashLog).Assembly.GetName().Version}");
        text.AppendLine($"runtime: {RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture}), {Environment.ProcessorCount} processors");
        text.AppendLine();
        text.AppendLine(exception.ToString());
        return text.ToString();
    }

    /// <summary>Quotes an argument for a POSIX shell when it needs it, so the command line can be pasted back.</summary>
    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or '=' or ':' or ',' or '+' or '@')
            ? arg
            : "'" + arg.Replace("'", "'\\''") + "'";
}
