using System.Runtime.InteropServices;

namespace Recurrent.Cli;

/// <summary>
/// Turns SIGINT (Ctrl-C), SIGTERM (<c>kill</c>, <c>docker stop</c>, systemd, a batch scheduler's preemption) and
/// SIGHUP (a closed terminal or SSH session) into a request to stop: the first one cancels <see cref="Token"/> and
/// keeps the process alive, so a training run can finish its batch, write its checkpoint and say how to resume;
/// a second one exits at once.
/// </summary>
/// <remarks>
/// <para>Exit codes are 128 + the signal's number, as a shell reports a process killed by it: 130 for SIGINT, 143
/// for SIGTERM, 129 for SIGHUP (see <see cref="ExitCodeOf"/>). A run that stopped cleanly on the first signal and
/// one that a second signal ended at once exit with the same code; the messages on standard error tell them apart.</para>
/// <para>Exiting at once on a second signal is safe for the checkpoints: they are written to a temporary file and
/// renamed (<see cref="Training.AtomicFile"/>), so the last one completed stays intact and loadable. At most a
/// temporary <c>.last.ckpt.*.tmp</c> file is left behind.</para>
/// <para>Handlers are registered for the lifetime of the object; outside it the runtime's default actions apply
/// (the process ends at once).</para>
/// </remarks>
public sealed class ShutdownSignals : IDisposable
{
    /// <summary>What the train commands return when they stopped on request; <see cref="Program"/> turns it into <see cref="ExitCodeOf"/> of the signal received.</summary>
    public const int StoppedExitCode = 130;

    /// <summary>Told to the user once the handlers are in place.</summary>
    public const string StopHint = "Ctrl-C, SIGTERM or SIGHUP stop after the current batch and save a checkpoint to resume from; a second one exits at once.";

    private static readonly PosixSignal[] Handled = [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP];
    private static int s_received = -1; // index into Handled of the first signal received in this process, or -1

    private readonly CancellationTokenSource _stop = new();
    private readonly List<PosixSignalRegistration> _registrations = new();
    private readonly TextWriter _messages;
    private int _count;

    /// <summary>Registers the handlers.</summary>
    /// <param name="messages">Where to say what a signal does (standard error by default).</param>
    public ShutdownSignals(TextWriter? messages = null)
    {
        _messages = messages ?? Console.Error;
        foreach (PosixSignal signal in Handled)
        {
            try
            {
                _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
            }
            catch (PlatformNotSupportedException)
            {
                // SIGHUP and SIGTERM do not exist on Windows, where Ctrl-C (SIGINT) is what there is.
            }
        }
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>The first of SIGINT, SIGTERM or SIGHUP that this process received while handlers were registered, or null.</summary>
    public static PosixSignal? Received => Volatile.Read(ref s_received) is >= 0 and var i ? Handled[i] : null;

    /// <summary>128 + the signal's number: 129 for SIGHUP, 130 for SIGINT, 143 for SIGTERM.</summary>
    public static int ExitCodeOf(PosixSignal signal) => 128 + signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGTERM => 15,
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "Only SIGHUP, SIGINT and SIGTERM are handled."),
    };

    /// <summary>The signal's usual name (<c>SIGTERM</c>).</summary>
    public static string NameOf(PosixSignal signal) => signal.ToString();

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // keep running: the owner saves and returns
        Interlocked.CompareExchange(ref s_received, Array.IndexOf(Handled, context.Signal), -1);
        if (Interlocked.Increment(ref _count) == 1)
        {
            _messages.WriteLine($"{NameOf(context.Signal)}: stopping after the current step and saving a checkpoint; send it again to exit at once.");
            _stop.Cancel();
            return;
        }
        _messages.WriteLine($"{NameOf(context.Signal)} again: exiting now without saving; the last checkpoint written is intact.");
        _messages.Flush();
        Environment.Exit(ExitCodeOf(context.Signal));
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration r in _registrations) r.Dispose();
        _registrations.Clear();
        _stop.Dispose();
    }
}
