using System.Diagnostics;

namespace Recurrent.Models;

/// <summary>The phases of a language-model training or evaluation step that <see cref="LanguageModelTimings"/> separates.</summary>
internal enum LanguageModelPhase
{
    Embedding,
    RecurrentForward,
    SoftmaxForward,
    Loss,
    SoftmaxBackward,
    RecurrentBackward,
    EmbeddingBackward,
    ZeroGradients,
    Clip,
    Step,
}

/// <summary>
/// Accumulated wall time per <see cref="LanguageModelPhase"/>, for profiling (<c>recurrent bench lm --profile</c>).
/// Attach one to <see cref="LanguageModel.Timings"/>; when it is null (the default) the model takes no timestamps.
/// </summary>
internal sealed class LanguageModelTimings
{
    private readonly long[] _ticks = new long[Enum.GetValues<LanguageModelPhase>().Length];
    private long _mark;

    /// <summary>Starts timing a run of phases from now.</summary>
    public void Start() => _mark = Stopwatch.GetTimestamp();

    /// <summary>Charges the time since the previous mark to <paramref name="phase"/> and moves the mark to now.</summary>
    public void Lap(LanguageModelPhase phase)
    {
        long now = Stopwatch.GetTimestamp();
        _ticks[(int)phase] += now - _mark;
        _mark = now;
    }

    /// <summary>Seconds charged to <paramref name="phase"/> so far.</summary>
    public double Seconds(LanguageModelPhase phase) => (double)_ticks[(int)phase] / Stopwatch.Frequency;

    /// <summary>Forgets every accumulated time.</summary>
    public void Reset() => Array.Clear(_ticks);
}
