using System.CommandLine;
using Recurrent;
using Recurrent.Cli.Commands;

namespace Recurrent.Cli;

/// <summary>Entry point of the <c>recurrent</c> tool: builds the command tree and turns user errors into plain messages.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Command root = CommandTree.Create();
        try
        {
            return root.Parse(args).Invoke(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                // Training commands handle Ctrl-C themselves (save a checkpoint, then exit), which can take longer
                // than System.CommandLine's default grace period before it kills the process.
                ProcessTerminationTimeout = null,
            });
        }
        catch (RecurrentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("stopped.");
            return 130;
        }
    }
}
