using System.CommandLine;
using Recurrent.Kernels;

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
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(LmCommand.Create());
        root.Subcommands.Add(CharCommand.Create());
        root.Subcommands.Add(ClassifyCommand.Create());
        root.Subcommands.Add(TagCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
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
    }
}
