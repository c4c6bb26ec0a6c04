using System.CommandLine;
using Recurrent.Kernels;
using Recurrent.Models;

namespace Recurrent.Cli.Commands;

/// <summary>The <c>recurrent</c> command tree. Each concern adds its subcommand from its own file.</summary>
public static class CommandTree
{
    /// <summary><c>--threads N</c>: compute threads, on every subcommand.</summary>
    public static readonly Option<int?> Threads = new("--threads")
    {
        Description = "Compute threads (default: all cores).",
        Recursive = true,
    };

    /// <summary><c>--verbose</c>: print the stack trace of an error instead of one line (and a crash log).</summary>
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "On an error, print the full stack trace.", Recursive = true };

    /// <summary><c>--max-memory SIZE</c>: the memory a model may use, instead of what the machine has available.</summary>
    public static readonly Option<string?> MaxMemory = new("--max-memory")
    {
        Description = "Memory a model may use, e.g. 8G or 512M (default: the memory available, cgroup limit included).",
        Recursive = true,
    };

    /// <summary>
    /// The root command. A plain <see cref="Command"/> named <c>recurrent</c> rather than a <see cref="RootCommand"/>,
    /// whose name is the executable's (<c>Recurrent.Cli</c>, see the project file), so help shows the command users type.
    /// </summary>
    public static Command Create()
    {
        var root = new Command("recurrent", "Recurrent: recurrent neural network sequence models in pure managed C#.");
        root.Options.Add(new System.CommandLine.Help.HelpOption());
        root.Options.Add(new VersionOption());
        root.Options.Add(Threads);
        root.Options.Add(Verbose);
        root.Options.Add(MaxMemory);
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(LmCommand.Create());
        root.Subcommands.Add(CharCommand.Create());
        root.Subcommands.Add(ClassifyCommand.Create());
        root.Subcommands.Add(TagCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(EmbedCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        return root;
    }

    /// <summary>Applies the options every command shares. Call first in each action.</summary>
    public static void ApplyCommon(ParseResult result)
    {
        int? threads = result.GetValue(Threads);
        if (threads is { } t)
        {
            if (t < 1) throw new RecurrentException($"--threads must be at least 1, got {t}.");
            ComputeThreads.Count = t;
        }
        if (result.GetValue(MaxMemory) is { } size) MemoryBudget.Limit = MemoryBudget.ParseSize(size, "--max-memory");
    }
}
