using System.CommandLine;
using Recurrent;
using Recurrent.Cli.Commands;

namespace Recurrent.Cli;

/// <summary>Entry point of the <c>recurrent</c> tool: builds the command tree and turns user errors into plain messages.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        RootCommand root = CommandTree.Create();
        try
        {
            return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
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
