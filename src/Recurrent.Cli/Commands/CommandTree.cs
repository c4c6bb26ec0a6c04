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

    public static RootCommand Create()
    {
        var root = new RootCommand("Recurrent: recurrent neural network sequence models in pure managed C#.");
        root.Options.Add(Threads);
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(LmCommand.Create());
        root.Subcommands.Add(CharCommand.Create());
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
