namespace Recurrent.Optimizers;

/// <summary>
/// Reduce-on-plateau: multiplies the learning rate by <see cref="Factor"/> when the validation loss has not
/// improved for more than <see cref="Patience"/> consecutive reports (as PyTorch's ReduceLROnPlateau, mode "min").
/// </summary>
/// <remarks>
/// A report counts as an improvement when <c>loss &lt; best · (1 − threshold)</c> (a relative threshold, so the
/// same setting works for losses and perplexities). After a decay the count of bad reports restarts at 0.
/// The rate never goes below <see cref="MinimumRate"/>. The whole mutable state is <see cref="PlateauState"/>,
/// which checkpoints save with <see cref="GetState"/> and restore with <see cref="SetState"/>.
/// </remarks>
internal sealed class PlateauSchedule
{
    private PlateauState _state;

    public PlateauSchedule(float initialRate, float factor = 0.5f, int patience = 0, double threshold = 1e-4, float minimumRate = 0f)
    {
        if (!(initialRate >= 0) || float.IsInfinity(initialRate)) throw new ArgumentOutOfRangeException(nameof(initialRate), "The initial rate must be finite and non-negative.");
        if (!(factor > 0 && factor < 1)) throw new ArgumentOutOfRangeException(nameof(factor), "The factor must be in (0, 1).");
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), "Patience must be non-negative.");
        if (!(threshold >= 0 && threshold < 1)) throw new ArgumentOutOfRangeException(nameof(threshold), "The threshold must be in [0, 1).");
        if (!(minimumRate >= 0)) throw new ArgumentOutOfRangeException(nameof(minimumRate), "The minimum rate must be non-negative.");
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        MinimumRate = minimumRate;
        _state = new PlateauState(initialRate, double.PositiveInfinity, 0);
    }

    public float Factor { get; }
    public int Patience { get; }
    public double Threshold { get; }
    public float MinimumRate { get; }

    /// <summary>The current learning rate.</summary>
    public float LearningRate => _state.LearningRate;

    /// <summary>The best validation loss seen (+∞ before the first report).</summary>
    public double Best => _state.Best;

    /// <summary>Consecutive reports without improvement since the last improvement or decay.</summary>
    public int BadReports => _state.BadReports;

    /// <summary>Records a validation loss; returns true when this report decayed the learning rate.</summary>
    public bool Report(double validationLoss)
    {
        if (double.IsNaN(validationLoss)) throw new ArgumentException("The validation loss is NaN.", nameof(validationLoss));
        (float rate, double best, int bad) = _state;
        if (validationLoss < best * (1 - Threshold) || double.IsPositiveInfinity(best))
        {
            _state = new PlateauState(rate, validationLoss, 0);
            return false;
        }
        bad++;
        if (bad > Patience)
        {
            float decayed = Math.Max(rate * Factor, MinimumRate);
            _state = new PlateauState(decayed, best, 0);
            return decayed != rate;
        }
        _state = new PlateauState(rate, best, bad);
        return false;
    }

    /// <summary>The mutable state, for checkpoints.</summary>
    public PlateauState GetState() => _state;

    /// <summary>Restores a state taken by <see cref="GetState"/>.</summary>
    public void SetState(PlateauState state)
    {
        if (!(state.LearningRate >= 0) || state.BadReports < 0 || double.IsNaN(state.Best))
            throw new RecurrentException($"Invalid plateau schedule state in checkpoint: {state}.");
        _state = state;
    }
}

/// <summary>The serialisable state of a <see cref="PlateauSchedule"/>.</summary>
internal readonly record struct PlateauState(float LearningRate, double Best, int BadReports);
