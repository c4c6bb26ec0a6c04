using Recurrent.Layers;
using Recurrent.Optimizers;
using Recurrent.Tensors;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Optimizers;

public class GradientClippingTests
{
    private static Parameter[] Parameters(float gradientScale)
    {
        var a = new Parameter("a", new Tensor(4, 33));
        var b = new Parameter("b", new Tensor(17));
        Reference.RandomArray(a.Gradient.Length, 1, -gradientScale, gradientScale).CopyTo(a.Gradient.Span);
        Reference.RandomArray(b.Gradient.Length, 2, -gradientScale, gradientScale).CopyTo(b.Gradient.Span);
        return [a, b];
    }

    private static double ReferenceNorm(Parameter[] ps)
    {
        double s = 0;
        foreach (Parameter p in ps)
            foreach (float g in p.Gradient.Span) s += (double)g * g;
        return Math.Sqrt(s);
    }

    [Fact]
    public void ClipsByGlobalNormLikeTensorFlow()
    {
        Parameter[] ps = Parameters(3f);
        double expectedNorm = ReferenceNorm(ps);
        const float maxNorm = 5f;
        Assert.True(expectedNorm > maxNorm);
        double[][] expected = ps.Select(p => p.Gradient.Span.ToArray().Select(g => g * (maxNorm / expectedNorm)).ToArray()).ToArray();

        double norm = GradientClipping.ClipByGlobalNorm(ps, maxNorm);

        Assert.Equal(expectedNorm, norm, 1e-12 * expectedNorm);
        for (int i = 0; i < ps.Length; i++)
            Reference.AssertClose(expected[i], ps[i].Gradient.Span, relative: 2e-7, what: ps[i].Name);
        Assert.Equal(maxNorm, ReferenceNorm(ps), 1e-5);
    }

    [Fact]
    public void LeavesGradientsUntouchedUnderTheLimit()
    {
        Parameter[] ps = Parameters(0.01f);
        float[][] before = ps.Select(p => p.Gradient.Span.ToArray()).ToArray();
        double norm = GradientClipping.ClipByGlobalNorm(ps, 5f);
        Assert.Equal(ReferenceNorm(ps), norm, 1e-12);
        for (int i = 0; i < ps.Length; i++) Assert.Equal(before[i], ps[i].Gradient.Span.ToArray());
    }

    [Fact]
    public void SparseGradientNormUsesListedRowsOnly()
    {
        var e = new Embedding(50, 9);
        var dy = new Tensor(Reference.RandomArray(3 * 9, 3, -4f, 4f), 3, 9);
        e.Backward([7, 40, 7], dy);
        var dense = new Parameter("dense", new Tensor(50, 9));
        e.Weight.Gradient.Span.CopyTo(dense.Gradient.Span);
        Assert.Equal(GradientClipping.GlobalNorm([dense]), GradientClipping.GlobalNorm([e.Weight]), 1e-12);
        GradientClipping.ClipByGlobalNorm([dense], 1f);
        GradientClipping.ClipByGlobalNorm([e.Weight], 1f);
        Assert.Equal(dense.Gradient.Span.ToArray(), e.Weight.Gradient.Span.ToArray());
    }

    [Fact]
    public void ClipsByValue()
    {
        Parameter[] ps = Parameters(3f);
        double[][] expected = ps.Select(p => p.Gradient.Span.ToArray().Select(g => (double)Math.Clamp(g, -1f, 0.5f)).ToArray()).ToArray();
        GradientClipping.ClipByValue(ps, -1f, 0.5f);
        for (int i = 0; i < ps.Length; i++) Reference.AssertClose(expected[i], ps[i].Gradient.Span, relative: 0);
    }
}
