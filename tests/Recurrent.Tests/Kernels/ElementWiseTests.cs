using Recurrent.Kernels;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Kernels;

public class ElementWiseTests
{
    public static TheoryData<int> Lengths => new() { 0, 1, 15, 16, 17, 31, 32, 33, 1000 };

    // Inputs span the interesting range and, for every length ≥ 4, include saturating extremes.
    private static float[] Inputs(int n, ulong seed)
    {
        float[] x = Reference.RandomArray(n, seed, -12f, 12f);
        if (n >= 4) { x[0] = 1000f; x[1] = -1000f; x[2] = 0f; x[3] = -88f; }
        return x;
    }

    [Theory, MemberData(nameof(Lengths))]
    public void SigmoidMatchesDouble(int n)
    {
        float[] x = Inputs(n, 1);
        var y = new float[n];
        MathKernels.Sigmoid(x, y);
        var expected = x.Select(v => 1.0 / (1.0 + Math.Exp(-(double)v))).ToArray();
        Reference.AssertClose(expected, y, relative: 4e-7, absolute: 1e-30);
        Assert.All(y, v => Assert.InRange(v, 0f, 1f));
    }

    [Theory, MemberData(nameof(Lengths))]
    public void TanhMatchesDouble(int n)
    {
        float[] x = Inputs(n, 2);
        var y = new float[n];
        MathKernels.Tanh(x, y);
        Reference.AssertClose(x.Select(v => Math.Tanh(v)).ToArray(), y, relative: 4e-7, absolute: 1e-7);
    }

    [Theory, MemberData(nameof(Lengths))]
    public void ExpMatchesDoubleInPlace(int n)
    {
        float[] x = Reference.RandomArray(n, 3, -80f, 80f);
        var expected = x.Select(v => Math.Exp(v)).ToArray();
        MathKernels.Exp(x, x);
        Reference.AssertClose(expected, x, relative: 4e-7);
    }

    [Fact]
    public void ExpOverflowsToInfinityAndUnderflowsToZero()
    {
        float[] x = [100f, -200f];
        MathKernels.Exp(x, x);
        Assert.Equal(float.PositiveInfinity, x[0]);
        Assert.Equal(0f, x[1]);
    }

    [Theory, MemberData(nameof(Lengths))]
    public void AxpyAndScaleMatchDouble(int n)
    {
        float[] x = Reference.RandomArray(n, 4);
        float[] y = Reference.RandomArray(n, 5);
        var expected = new double[n];
        for (int i = 0; i < n; i++) expected[i] = y[i] + 0.75 * x[i];
        MathKernels.Axpy(0.75f, x, y);
        Reference.AssertClose(expected, y, relative: 1e-6, absolute: 1e-7);

        for (int i = 0; i < n; i++) expected[i] = -3.5 * y[i];
        MathKernels.Scale(-3.5f, y);
        Reference.AssertClose(expected, y, relative: 1e-7);

        var z = new float[n];
        MathKernels.Scale(2f, x, z);
        for (int i = 0; i < n; i++) Assert.Equal(2f * x[i], z[i]);
    }

    [Fact]
    public void MismatchedLengthsThrow()
    {
        Assert.Throws<ArgumentException>(() => MathKernels.Sigmoid(new float[3], new float[2]));
        Assert.Throws<ArgumentException>(() => MathKernels.Axpy(1f, new float[3], new float[4]));
    }

    [Theory, MemberData(nameof(Lengths))]
    public void ClampMatchesReference(int n)
    {
        float[] x = Reference.RandomArray(n, 6, -3f, 3f);
        var expected = x.Select(v => (double)Math.Min(Math.Max(v, -1f), 2f)).ToArray();
        MathKernels.Clamp(x, -1f, 2f);
        Reference.AssertClose(expected, x, relative: 0);
    }
}
