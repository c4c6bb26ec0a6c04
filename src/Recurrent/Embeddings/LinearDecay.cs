namespace Recurrent.Embeddings;

/// <summary>
/// word2vec's learning-rate schedule: <c>α = α₀ · max(1 − done / (total + 1), 10⁻⁴)</c>, where <c>done</c> counts
/// the words read so far (kept or subsampled away) and <c>total</c> is epochs × words per epoch.
/// </summary>
internal static class LinearDecay
{
    /// <summary>The floor, as a fraction of α₀.</summary>
    public const double MinimumFraction = 1e-4;

    /// <summary>The learning rate after <paramref name="done"/> of <paramref name="total"/> words.</summary>
    public static float At(float initial, long done, long total)
    {
        double fraction = 1 - done / (double)(total + 1);
        return (float)(initial * Math.Max(fraction, MinimumFraction));
    }
}
