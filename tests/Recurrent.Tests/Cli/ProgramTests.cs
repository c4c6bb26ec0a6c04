using System.CommandLine;
using Recurrent.Cli;
using Recurrent.Cli.Commands;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Cli;

/// <summary>The top level: a user mistake is one line and exit 2, a bug one line, a crash log and exit 70, never a stack trace.</summary>
public class ProgramTests
{
    /// <summary>The real command tree plus commands that fail the ways a bug would, through System.CommandLine's own invocation.</summary>
    private static Command TreeWithBugs()
    {
        Command root = CommandTree.Create();
        var sync = new Command("bug-sync");
        sync.SetAction(int (ParseResult _) => throw new InvalidOperationException("the sync bug"));
        root.Subcommands.Add(sync);
        var async = new Command("bug-async");
        async.SetAction(async (_, _) =>
        {
            await Task.Yield(); // fails on another thread, inside a task
            throw new KeyNotFoundException("the async bug");
        });
        root.Subcommands.Add(async);
        var user = new Command("user-mistake");
        user.SetAction(async (_, _) =>
        {
            await Task.Yield();
            throw new RecurrentException("--thing must be positive, got -1.");
        });
        root.Subcommands.Add(user);
        return root;
    }

    [Theory]
    [InlineData("bug-sync", "InvalidOperationException", "the sync bug")]
    [InlineData("bug-async", "KeyNotFoundException", "the async bug")]
    public void ABugGetsOneLineAndACrashLog(string command, string type, string message)
    {
        using var dir = new TempDirectory();
        string crash = Path.Combine(dir.Path, "state", "recurrent", "crash");
        var error = new StringWriter();
        Assert.Equal(70, Program.Run([command, "--threads", "1"], TreeWithBugs(), error, crash));

        string[] lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith($"internal error ({type}): {message}", lines[0]);
        Assert.DoesNotContain(" at ", lines[0]);
        string log = Assert.Single(Directory.GetFiles(crash));
        Assert.Contains(log, lines[0]);
        string text = File.ReadAllText(log);
        Assert.Contains($"command: recurrent {command} --threads 1", text);
        Assert.Contains(type, text);
        Assert.Contains(message, text);
        Assert.Contains("   at ", text); // the stack trace is in the log
    }

    [Fact]
    public void VerbosePrintsTheTraceInsteadOfWritingALog()
    {
        using var dir = new TempDirectory();
        string crash = Path.Combine(dir.Path, "crash");
        var error = new StringWriter();
        Assert.Equal(70, Program.Run(["bug-sync", "--verbose"], TreeWithBugs(), error, crash));
        Assert.Contains("System.InvalidOperationException: the sync bug", error.ToString());
        Assert.Contains("   at ", error.ToString());
        Assert.False(Directory.Exists(crash));
    }

    [Fact]
    public void AUserMistakeIsOneLineWithExitCode2()
    {
        using var dir = new TempDirectory();
        var error = new StringWriter();
        Assert.Equal(2, Program.Run(["user-mistake"], TreeWithBugs(), error, dir.Path));
        Assert.Equal("error: --thing must be positive, got -1.", error.ToString().TrimEnd());
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path)); // no crash log for a user mistake

        string data = SignalTests.MakeCorpus(dir, 50);
        var real = new StringWriter();
        Assert.Equal(2, Program.Run(["lm", "train", "--preset", "huge", "--data", data], CommandTree.Create(), real, dir.Path));
        Assert.StartsWith("error: ", real.ToString());
        Assert.Contains("huge", real.ToString());
        Assert.Single(real.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void AnUnwritableCrashFolderFallsBackToTheTempFolder()
    {
        using var dir = new TempDirectory();
        string file = dir.File("not-a-folder");
        File.WriteAllText(file, "");
        var error = new StringWriter();
        Assert.Equal(70, Program.Run(["bug-sync"], TreeWithBugs(), error, Path.Combine(file, "crash")));
        string tempCrash = Path.Combine(Path.GetTempPath(), "recurrent", "crash");
        Assert.Contains(tempCrash, error.ToString());
        string log = error.ToString().Split(" the details are in ")[1].Split(" (or run")[0];
        Assert.StartsWith(tempCrash, log);
        Assert.Contains("the sync bug", File.ReadAllText(log));
        File.Delete(log);
    }

    [Fact]
    public void TheCrashFolderFollowsXdgStateHome()
    {
        Assert.Equal("/state/recurrent/crash", CrashLog.DefaultDirectory("/state", "/home/u"));
        Assert.Equal("/home/u/.local/state/recurrent/crash", CrashLog.DefaultDirectory(null, "/home/u"));
        Assert.Equal("/home/u/.local/state/recurrent/crash", CrashLog.DefaultDirectory("relative/path", "/home/u")); // ignored, as the spec says
        Assert.Equal(Path.Combine(Path.GetTempPath(), "recurrent", "crash"), CrashLog.DefaultDirectory(null, ""));
    }
}
