using Recurrent.Layers;
using Recurrent.Tensors;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Layers;

public class LinearTests
{
    private static Linear Create(int input, int output, ulong seed)
    {
        var layer = new Linear(input, output);
        var random = new RandomGenerator(seed);
        Initializers.Uniform(layer.Weight.Value, 1f, random);
        Initializers.Uniform(layer.Bias.Value, 1f, random);
        return layer;
    }

    [Fact]
    public void ForwardMatchesDoubleReference()
    {
        const int n = 6, inSize = 5, outSize = 3;
        var layer = Create(inSize, outSize, 1);
        var x = new Tensor(Reference.RandomArray(n * inSize, 2), 2, 3, inSize); // [time, batch, in]
        var y = new Tensor(2, 3, outSize);
        layer.Forward(x, y);
        Assert.Equal([2, 3, outSize], y.Shape);
        var expected = new double[n * outSize];
        for (int r = 0; r < n; r++)
            for (int o = 0; o < outSize; o++)
            {
                double s = layer.Bias.Value[o];
                for (int i = 0; i < inSize; i++) s += (double)x.Span[r * inSize + i] * layer.Weight.Value[i, o];
                expected[r * outSize + o] = s;
            }
        Reference.AssertClose(expected, y.Span, relative: 1e-6, absolute: 1e-6);
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        const int n = 4, inSize = 5, outSize = 3;
        var layer = Create(inSize, outSize, 3);
        var x = new Tensor(Reference.RandomArray(n * inSize, 4), n, inSize);
        float[] r = Reference.RandomArray(n * outSize, 5);
        var y = new Tensor(n, outSize);
        double Loss()
        {
            layer.Forward(x, y);
            double l = 0;
            for (int i = 0; i < r.Length; i++) l += (double)r[i] * y.Span[i];
            return l;
        }
        var dx = new Tensor(n, inSize);
        dx.Fill(float.NaN); // must be overwritten
        layer.Backward(x, new Tensor(r, n, outSize), dx);

        // L is linear in each of x, W, b (no truncation error). Each y is a float dot product of 5 terms of size ≤ 1
        // plus a bias: rounding ≈ 6·2^-24·6; summed against |r| ≤ 1 over 12 outputs the magnitude is ≤ 12·6 = 72.
        const float eps = 1e-2f;
        double tol = FiniteDifference.Tolerance(72, eps);
        FiniteDifference.AssertGradient(layer.Weight.Value.Data, layer.Weight.Gradient.Data, FiniteDifference.Spread(inSize * outSize), eps, tol, Loss, "dW");
        FiniteDifference.AssertGradient(layer.Bias.Value.Data, layer.Bias.Gradient.Data, FiniteDifference.Spread(outSize), eps, tol, Loss, "db");
        FiniteDifference.AssertGradient(x.Data, dx.Data, FiniteDifference.Spread(n * inSize), eps, tol, Loss, "dx");
    }

    [Fact]
    public void BackwardAccumulatesParameterGradientsAndOverwritesInputGradient()
    {
        const int n = 3, inSize = 4, outSize = 2;
        var layer = Create(inSize, outSize, 6);
        var x = new Tensor(Reference.RandomArray(n * inSize, 7), n, inSize);
        var dy = new Tensor(Reference.RandomArray(n * outSize, 8), n, outSize);
        var dx = new Tensor(n, inSize);
        layer.Backward(x, dy, dx);
        float[] dW1 = layer.Weight.Gradient.Span.ToArray(), db1 = layer.Bias.Gradient.Span.ToArray(), dx1 = dx.Span.ToArray();
        layer.Backward(x, dy, dx);
        for (int i = 0; i < dW1.Length; i++) Assert.Equal(2 * dW1[i], layer.Weight.Gradient.Span[i], 1e-6f);
        for (int i = 0; i < db1.Length; i++) Assert.Equal(2 * db1[i], layer.Bias.Gradient.Span[i], 1e-6f);
        Assert.Equal(dx1, dx.Span.ToArray());
        // db is the column sum of dy.
        Assert.Equal((double)dy[0, 1] + dy[1, 1] + dy[2, 1], db1[1], 1e-6);

        layer.Backward(x, dy, null); // input gradient is optional
    }
}
