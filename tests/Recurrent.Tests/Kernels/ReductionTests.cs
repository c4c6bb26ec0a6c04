using Recurrent.Kernels;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Kernels;

public class ReductionTests
{
    public static TheoryData<int> Lengths => new() { 0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 1000 };

    [Theory, MemberData(nameof(Lengths))]
    public void SumOfSquaresMatchesDouble(int n)
    {
        float[] x = Reference.RandomArray(n, 10, -5f, 5f);
        double expected = 0;
        foreach (float v in x) expected += (double)v * v;
        double actual = MathKernels.SumOfSquares(x);
        Assert.True(Math.Abs(actual - expected) <= 1e-12 * Math.Max(expected, 1), $"{actual} vs {expected}");
        Assert.Equal(Math.Sqrt(expected), MathKernels.L2Norm(x), 1e-12 * Math.Max(Math.Sqrt(expected), 1));
    }

    [Fact]
    public void SumOfSquaresKeepsSmallTermsAndDoesNotOverflow()
    {
        // 1e6 terms of 1e-4² next to a term of 1: a float accumulator would stop growing near 1 + 2^-24·k.
        var x = new float[1_000_001];
        Array.Fill(x, 1e-4f);
        x[0] = 1f;
        double expected = 1.0 + 1e6 * ((double)1e-4f * 1e-4f);
        Assert.Equal(expected, MathKernels.SumOfSquares(x), 1e-12);

        float[] big = [3e20f, 4e20f];
        Assert.Equal(5e20, MathKernels.L2Norm(big), 5e20 * 1e-7);
    }

    [Theory, MemberData(nameof(Lengths))]
    public void SumExpMatchesDouble(int n)
    {
        float[] x = Reference.RandomArray(n, 11, -20f, 20f);
        float shift = n == 0 ? 0 : x.Max();
        double expected = 0;
        foreach (float v in x) expected += Math.Exp((double)v - shift);
        double actual = MathKernels.SumExp(x, shift);
        Assert.True(Math.Abs(actual - expected) <= 2e-6 * Math.Max(expected, 1e-30), $"{actual} vs {expected}");
    }

    [Fact]
    public void SumExpOfHugeValuesIsFiniteWithMaxShift()
    {
        float[] x = [1e4f, 1e4f, 1e4f - 1f];
        double expected = 2 + Math.Exp(-1);
        Assert.Equal(expected, MathKernels.SumExp(x, 1e4f), 1e-6);
    }
}
