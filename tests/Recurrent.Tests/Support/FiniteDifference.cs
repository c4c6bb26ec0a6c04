namespace Recurrent.Tests.Support;

/// <summary>
/// Central finite differences for float32 code, to check analytic gradients.
/// </summary>
/// <remarks>
/// Error budget of <c>(L(x+ε) − L(x−ε)) / 2ε</c> when L is computed in float32:
/// rounding — each evaluation of L carries an error of about c·2^-24·M, where M is the magnitude of the
/// terms L sums (not just |L|) and c a small count of roundings per term, which the difference divides by 2ε:
/// ≈ c·2^-24·M/ε; truncation — ε²/6·|L'''|, zero for functions linear in the checked variable.
/// <see cref="Tolerance"/> turns that into an absolute bound with c = 16 as safety margin.
/// </remarks>
internal static class FiniteDifference
{
    /// <summary>Unit roundoff of float32.</summary>
    public const double FloatEpsilon = 1.0 / (1 << 24);

    /// <summary>Absolute tolerance <c>16·2^-24·magnitude/ε + ε²·curvature</c> (see the class remarks).</summary>
    public static double Tolerance(double magnitude, float eps, double curvature = 0)
        => 16 * FloatEpsilon * magnitude / eps + (double)eps * eps * curvature;

    /// <summary>∂loss/∂values[index] by central differences, dividing by the step actually taken in float.</summary>
    public static double Derivative(float[] values, int index, float eps, Func<double> loss)
        => Derivative(() => values, index, eps, loss);

    /// <summary>
    /// ∂loss/∂values()[index] by central differences, dividing by the step actually taken after rounding to
    /// float (not eps itself). The accessor is called again after each evaluation, since a loss may move storage.
    /// </summary>
    public static double Derivative(SpanAccessor values, int index, float eps, Func<double> loss)
    {
        float saved = values()[index];
        float plus = saved + eps, minus = saved - eps;
        values()[index] = plus;
        double lPlus = loss();
        values()[index] = minus;
        double lMinus = loss();
        values()[index] = saved;
        return (lPlus - lMinus) / ((double)plus - minus);
    }

    /// <summary>
    /// Asserts that <paramref name="analytic"/>[i] matches the numerical derivative for each index in
    /// <paramref name="indices"/> within <paramref name="tolerance"/> (absolute).
    /// </summary>
    public static void AssertGradient(float[] values, float[] analytic, IEnumerable<int> indices, float eps, double tolerance, Func<double> loss, string what)
    {
        int checkedCount = 0;
        foreach (int i in indices)
        {
            double numeric = Derivative(values, i, eps, loss);
            double error = Math.Abs(numeric - analytic[i]);
            Assert.True(error <= tolerance,
                $"{what}[{i}]: analytic {analytic[i]:R}, numeric {numeric:R}, |difference| {error:E3} > tolerance {tolerance:E3}");
            checkedCount++;
        }
        Assert.True(checkedCount > 0, $"No element of {what} was checked.");
    }

    /// <summary>Indices 0..length−1, or a deterministic spread of <paramref name="max"/> of them.</summary>
    public static IEnumerable<int> Spread(int length, int max = 64)
    {
        if (length <= max)
        {
            for (int i = 0; i < length; i++) yield return i;
            yield break;
        }
        for (int j = 0; j < max; j++) yield return (int)((long)j * (length - 1) / (max - 1));
    }
}
