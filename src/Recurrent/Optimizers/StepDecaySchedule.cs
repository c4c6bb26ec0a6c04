namespace Recurrent.Optimizers;

/// <summary>
/// The learning-rate schedule of Zaremba et al. (2014) and TensorFlow's ptb_word_lm.py: constant for the first
/// <see cref="MaxEpoch"/> epochs, then multiplied by <see cref="Decay"/> every epoch.
/// For 0-based epoch e: <c>lr(e) = baseRate · decay^max(e + 1 − maxEpoch, 0)</c>.
/// </summary>
/// <remarks>PTB small: base 1.0, max_epoch 4, decay 0.5 gives 1, 1, 1, 1, 0.5, 0.25, … over 13 epochs.</remarks>
internal sealed class StepDecaySchedule
{
    public StepDecaySchedule(float baseRate, int maxEpoch, float decay)
    {
        if (!(baseRate >= 0) || float.IsInfinity(baseRate)) throw new ArgumentOutOfRangeException(nameof(baseRate), "The base rate must be finite and non-negative.");
        if (maxEpoch < 0) throw new ArgumentOutOfRangeException(nameof(maxEpoch), "max_epoch must be non-negative.");
        if (!(decay > 0 && decay <= 1)) throw new ArgumentOutOfRangeException(nameof(decay), "The decay must be in (0, 1].");
        BaseRate = baseRate;
        MaxEpoch = maxEpoch;
        Decay = decay;
    }

    public float BaseRate { get; }
    public int MaxEpoch { get; }
    public float Decay { get; }

    /// <summary>The learning rate for 0-based <paramref name="epoch"/>, computed in double and rounded once.</summary>
    public float LearningRate(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), "Epochs count from 0.");
        return (float)(BaseRate * Math.Pow(Decay, Math.Max(epoch + 1 - MaxEpoch, 0)));
    }
}
