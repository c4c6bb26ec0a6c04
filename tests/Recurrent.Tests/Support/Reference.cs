using Recurrent.Tensors;

namespace Recurrent.Tests.Support;

/// <summary>Helpers for test data and double-precision comparisons.</summary>
internal static class Reference
{
    public static float[] RandomArray(int length, ulong seed, float low = -1f, float high = 1f)
    {
        var a = new float[length];
        new RandomGenerator(seed).FillUniform(a, low, high);
        return a;
    }

    /// <summary>Asserts |actual − expected| ≤ absolute + relative·|expected| elementwise.</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double relative, double absolute = 0, string what = "value")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double bound = absolute + relative * Math.Abs(expected[i]);
            Assert.True(Math.Abs(actual[i] - expected[i]) <= bound,
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (bound {bound:E3})");
        }
    }
}
