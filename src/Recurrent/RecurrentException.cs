namespace Recurrent;

/// <summary>
/// A problem with what the user gave us (a file, an option, a checkpoint) rather than a bug.
/// The command-line tool prints its message without a stack trace, so the message must say
/// which file, line or option is wrong and what was expected.
/// </summary>
public class RecurrentException : Exception
{
    /// <summary>An error whose <paramref name="message"/> tells the user what was wrong and where.</summary>
    public RecurrentException(string message) : base(message) { }
    /// <summary>An error whose <paramref name="message"/> tells the user what was wrong and where, caused by <paramref name="inner"/>.</summary>
    public RecurrentException(string message, Exception inner) : base(message, inner) { }
}
