using System.Text;
using Xunit.Sdk;

namespace Recurrent.Tests.Support;

/// <summary>Gives the live values of something the loss depends on (a parameter, an input, a state).</summary>
public delegate Span<float> SpanAccessor();

/// <summary>
/// One quantity to check: its values (perturbed in place) and the analytic gradient computed at the unperturbed point.
/// </summary>
public sealed record GradientTarget(string Name, SpanAccessor Values, float[] Analytic);

/// <summary>
/// Finite-difference gradient checking: every element of every target is compared with the central difference
/// (L(v + eps) − L(v − eps)) / 2eps, and must satisfy |analytic − numeric| ≤ atol + rtol·|numeric|.
/// </summary>
/// <remarks>
/// With float32 forward passes, choosing eps is a trade-off: the rounding noise of L (about 2^-24·Σ|terms of L|
/// times a small factor for the operations chained before it) is divided by 2eps, while the truncation error of
/// the central difference grows as eps²·|L'''|/6. Callers state their choice next to their tolerances.
/// </remarks>
public static class GradientCheck
{
    /// <summary>The largest |analytic − numeric| / (atol + rtol·|numeric|) seen; ≤ 1 means every element passed.</summary>
    public static double Check(Func<double> loss, IEnumerable<GradientTarget> targets, double eps, double atol, double rtol)
    {
        var failures = new StringBuilder();
        int failed = 0, checkedCount = 0;
        double worst = 0;
        foreach (var target in targets)
        {
            int length = target.Values().Length;
            if (target.Analytic.Length != length)
                throw new ArgumentException($"{target.Name}: {target.Analytic.Length} analytic values for {length} elements.");
            for (int i = 0; i < length; i++)
            {
                double numeric = FiniteDifference.Derivative(target.Values, i, (float)eps, loss);
                double analytic = target.Analytic[i];
                double ratio = Math.Abs(analytic - numeric) / (atol + rtol * Math.Abs(numeric));
                worst = Math.Max(worst, ratio);
                checkedCount++;
                if (ratio > 1 || double.IsNaN(ratio))
                {
                    if (failed++ < 12)
                        failures.AppendLine($"  {target.Name}[{i}]: analytic {analytic:G6}, numeric {numeric:G6}");
                }
            }
        }
        if (failed > 0)
            throw new XunitException($"{failed} of {checkedCount} gradient elements differ from central differences (eps {eps}, atol {atol}, rtol {rtol}):\n{failures}");
        return worst;
    }
}
