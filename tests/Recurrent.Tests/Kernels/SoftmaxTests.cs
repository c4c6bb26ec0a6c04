using Recurrent.Kernels;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Kernels;

public class SoftmaxTests
{
    public static TheoryData<int> Columns => new() { 0, 1, 15, 16, 17, 1000 };

    private static double[] SoftmaxReference(float[] x, int rows, int cols, bool log)
    {
        var y = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < cols; j++) max = Math.Max(max, x[r * cols + j]);
            double sum = 0;
            for (int j = 0; j < cols; j++) sum += Math.Exp(x[r * cols + j] - max);
            for (int j = 0; j < cols; j++)
                y[r * cols + j] = log ? x[r * cols + j] - max - Math.Log(sum) : Math.Exp(x[r * cols + j] - max) / sum;
        }
        return y;
    }

    [Theory, MemberData(nameof(Columns))]
    public void SoftmaxMatchesDoubleAndRowsSumToOne(int cols)
    {
        const int rows = 3;
        float[] x = Reference.RandomArray(rows * cols, 20, -10f, 10f);
        var y = new float[x.Length];
        MathKernels.Softmax(x, y, rows, cols);
        Reference.AssertClose(SoftmaxReference(x, rows, cols, log: false), y, relative: 2e-6, absolute: 1e-9);
        for (int r = 0; r < rows && cols > 0; r++)
            Assert.Equal(1.0, y.AsSpan(r * cols, cols).ToArray().Sum(v => (double)v), 1e-5);
    }

    [Theory, MemberData(nameof(Columns))]
    public void LogSoftmaxMatchesDouble(int cols)
    {
        const int rows = 3;
        float[] x = Reference.RandomArray(rows * cols, 21, -10f, 10f);
        var y = new float[x.Length];
        MathKernels.LogSoftmax(x, y, rows, cols);
        // Absolute error: the result is x − lse, each rounded once in float (|x| ≤ ~20).
        Reference.AssertClose(SoftmaxReference(x, rows, cols, log: true), y, relative: 1e-6, absolute: 4e-6);
    }

    [Fact]
    public void HugeLogitsDoNotOverflowAndInPlaceWorks()
    {
        float[] x = [1000f, 999f, -1000f, 3e38f, 3e38f, 0f];
        var expected = SoftmaxReference(x, 2, 3, log: false);
        var expectedLog = SoftmaxReference(x, 2, 3, log: true);
        var logY = new float[6];
        MathKernels.LogSoftmax(x, logY, 2, 3);
        MathKernels.Softmax(x, x, 2, 3); // in place
        Assert.All(x, v => Assert.True(float.IsFinite(v)));
        Reference.AssertClose(expected, x, relative: 1e-6, absolute: 1e-30);
        Assert.Equal(expectedLog[0], logY[0], 1e-5);
        Assert.Equal(expectedLog[1], logY[1], 1e-5);
        Assert.Equal(expectedLog[3], logY[3], 1e-5);
    }

    [Fact]
    public void ShapeMismatchThrows()
    {
        Assert.Throws<ArgumentException>(() => MathKernels.Softmax(new float[6], new float[6], 4, 2));
        Assert.Throws<ArgumentException>(() => MathKernels.LogSoftmax(new float[6], new float[5], 2, 3));
    }
}
