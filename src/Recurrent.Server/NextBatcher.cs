using System.Diagnostics;
using System.Threading.Channels;
using Recurrent.Models;
using Recurrent.Server.Api;
using Recurrent.Text;

namespace Recurrent.Server;

/// <summary>
/// Computes the <c>next</c> requests of one language model in batches. Requests queue; one worker takes what has
/// arrived (up to <see cref="ServerOptions.NextBatchSize"/>), waits for more until the oldest has waited
/// <see cref="ServerOptions.NextBatchWindow"/> or the batch is full, and computes them together in one compute slot:
/// the recurrent steps of every context as one batch (padded to the longest, each row's state kept after its own
/// last token) and the softmax projection as one GEMM [B, H]·[H, V] (<see cref="LanguageModel.PredictNextBatch"/>).
/// </summary>
/// <remarks>
/// <para>Why: alone, a request's projection is a matrix-vector product that streams all of W (8 MB for PTB's
/// 200 × 10,000) from memory for 2·H·V flops, and its recurrent steps do the same with the LSTM weights; in a batch
/// those reads are shared by every request, so the cost per request falls by an order of magnitude.</para>
/// <para>Contexts are sorted by length and cut into batches of at most <see cref="ServerOptions.NextBatchTokens"/>
/// padded positions, so one long context does not make every other row pad to it. The worker owns its inference
/// object and buffers (the model's weights are shared, read-only) and computes in a slot of the
/// <see cref="ComputeGate"/>, so the compute threads stay bounded. A request whose client leaves is dropped from
/// the queue; its answer, if already computing, is discarded.</para>
/// </remarks>
public sealed class NextBatcher : IDisposable
{
    private readonly LanguageModel _model;
    private readonly Func<int, string> _tokenOf;
    private readonly ComputeGate _gate;
    private readonly ServerStatus _status;
    private readonly int _maxBatch, _maxTokens, _vocab;
    private readonly long _windowTicks;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly List<Pending> _batch = [];
    private readonly LanguageModelTimings _timings = new();
    private readonly Task _worker;
    private Task<bool>? _arrival;
    private int[] _inputs = [], _lengths = [], _top = [];
    private float[] _probabilities = [];

    /// <param name="model">An inference object of the worker's own (<see cref="LanguageModel.CreateInference"/>).</param>
    /// <param name="tokenOf">The text of a token id.</param>
    public NextBatcher(LanguageModel model, Func<int, string> tokenOf, ServingContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenOf);
        ArgumentNullException.ThrowIfNull(context);
        _model = model;
        _model.Timings = _timings;
        _tokenOf = tokenOf;
        _gate = context.Gate;
        _status = context.Status;
        _maxBatch = context.Options.NextBatchSize;
        _maxTokens = context.Options.NextBatchTokens;
        _windowTicks = (long)(context.Options.NextBatchWindow.TotalSeconds * Stopwatch.Frequency);
        _vocab = model.Config.VocabSize;
        _worker = Task.Run(RunAsync);
    }

    /// <summary>
    /// The <paramref name="k"/> most probable tokens after <paramref name="context"/> (token ids, at least one), most
    /// probable first, ties to the lower id: what <see cref="TextGenerator.Prime"/> and <see cref="TopK"/> give for it alone.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired before the answer was ready.</exception>
    public Task<TokenProbability[]> NextAsync(int[] context, int k, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Length == 0) throw new ArgumentException("A context needs at least one token.", nameof(context));
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var pending = new Pending(context, Math.Min(k, _vocab), cancellation);
        if (cancellation.CanBeCanceled) pending.Registration = cancellation.Register(static p => ((Pending)p!).Cancel(), pending);
        if (!_queue.Writer.TryWrite(pending)) pending.TrySetException(new ObjectDisposedException(nameof(NextBatcher), "The server is stopping."));
        return pending.Task;
    }

    private async Task RunAsync()
    {
        while (await Arrival().ConfigureAwait(false))
        {
            _arrival = null;
            Collect();
            // Wait for company until the oldest request has waited the window, or the batch is full.
            while (_batch.Count > 0 && _batch.Count < _maxBatch)
            {
                long remaining = _batch[0].Arrived + _windowTicks - Stopwatch.GetTimestamp();
                if (remaining <= 0) break;
                Task<bool> arrival = Arrival();
                // Timers count whole milliseconds (a shorter delay would be none at all) and may fire early: round up,
                // and look at the clock again when one fires.
                if (!arrival.IsCompleted)
                    await Task.WhenAny(arrival, Task.Delay((int)Math.Ceiling(remaining * 1000.0 / Stopwatch.Frequency))).ConfigureAwait(false);
                if (!arrival.IsCompleted) continue;
                _arrival = null;
                if (!arrival.Result) break; // closed
                Collect();
            }
            if (_batch.Count == 0) continue;
            await ComputeAsync().ConfigureAwait(false);
            _batch.Clear();
        }
    }

    /// <summary>
    /// Completes when a request can be read (true) or the queue is closed and empty (false). Kept across calls, so that
    /// a wait cut short by the window is picked up again rather than left behind as a second reader.
    /// </summary>
    private Task<bool> Arrival() => _arrival ??= _queue.Reader.WaitToReadAsync().AsTask();

    /// <summary>Moves queued requests into the batch, up to its size, dropping those whose clients have left.</summary>
    private void Collect()
    {
        while (_batch.Count < _maxBatch && _queue.Reader.TryRead(out Pending? pending))
            if (!pending.Task.IsCompleted) _batch.Add(pending);
    }

    /// <summary>Computes the batch in groups of similar context lengths, each group in one compute slot.</summary>
    private async Task ComputeAsync()
    {
        _batch.RemoveAll(static p => p.Task.IsCompleted); // clients that left while the batch gathered
        _batch.Sort(static (a, b) => a.Context.Length.CompareTo(b.Context.Length));
        int start = 0;
        while (start < _batch.Count)
        {
            // Lengths ascend, so a group pads to its last member's length.
            int end = start + 1;
            while (end < _batch.Count && (long)_batch[end].Context.Length * (end - start + 1) <= _maxTokens) end++;
            int from = start, to = end;
            try
            {
                await _gate.RunAsync(() => Compute(from, to), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                for (int i = from; i < to; i++) _batch[i].TrySetException(e);
            }
            start = end;
        }
    }

    private bool Compute(int from, int to)
    {
        long started = Stopwatch.GetTimestamp();
        int count = to - from, steps = _batch[to - 1].Context.Length;
        if (_inputs.Length < steps * count) _inputs = new int[steps * count];
        if (_lengths.Length < count) _lengths = new int[count];
        if (_probabilities.Length < count * _vocab) _probabilities = new float[count * _vocab];
        long queued = 0;
        for (int j = 0; j < count; j++)
        {
            Pending pending = _batch[from + j];
            queued += started - pending.Arrived;
            int[] context = pending.Context;
            _lengths[j] = context.Length;
            for (int t = 0; t < steps; t++) _inputs[t * count + j] = t < context.Length ? context[t] : 0; // padding: any valid id
        }
        _timings.Reset();
        _model.PredictNextBatch(_inputs.AsSpan(0, steps * count), _lengths.AsSpan(0, count), steps, count, _probabilities.AsSpan(0, count * _vocab));
        double recurrent = _timings.Seconds(LanguageModelPhase.Embedding) + _timings.Seconds(LanguageModelPhase.RecurrentForward);
        double projection = _timings.Seconds(LanguageModelPhase.SoftmaxForward), softmax = _timings.Seconds(LanguageModelPhase.Loss);
        for (int j = 0; j < count; j++)
        {
            Pending pending = _batch[from + j];
            ReadOnlySpan<float> row = _probabilities.AsSpan(j * _vocab, _vocab);
            if (_top.Length < pending.K) _top = new int[pending.K];
            int n = TopK.Select(row, _top.AsSpan(0, pending.K));
            var tokens = new TokenProbability[n];
            for (int i = 0; i < n; i++) tokens[i] = new TokenProbability(_tokenOf(_top[i]), _top[i], row[_top[i]]);
            pending.Answer = tokens;
        }
        // Counted before the answers go out, so that a client that has its answer sees it counted.
        _status.NextComputed(count, queued, Stopwatch.GetTimestamp() - started, Ticks(recurrent), Ticks(projection), Ticks(softmax));
        for (int j = 0; j < count; j++)
        {
            Pending pending = _batch[from + j];
            pending.Registration.Unregister();
            pending.TrySetResult(pending.Answer!);
        }
        return true;
    }

    private static long Ticks(double seconds) => (long)(seconds * Stopwatch.Frequency);

    /// <summary>Stops taking requests, lets the worker answer those queued, and waits (a few seconds at most) for it to end.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _worker.Wait(TimeSpan.FromSeconds(5));
    }

    /// <summary>A queued request: its context, its k, when it arrived, and the answer its caller awaits.</summary>
    private sealed class Pending(int[] context, int k, CancellationToken cancellation)
        : TaskCompletionSource<TokenProbability[]>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public int[] Context { get; } = context;
        public int K { get; } = k;
        public long Arrived { get; } = Stopwatch.GetTimestamp();
        public CancellationTokenRegistration Registration { get; set; }
        public TokenProbability[]? Answer { get; set; }

        public void Cancel() => TrySetCanceled(cancellation);
    }
}
