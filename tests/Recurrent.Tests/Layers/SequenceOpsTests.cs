using Recurrent.Layers;
using Recurrent.Tensors;

namespace Recurrent.Tests.Layers;

public class SequenceOpsTests
{
    private static Tensor Numbered(int t, int b, int f)
    {
        var x = new Tensor(t, b, f);
        for (int i = 0; i < x.Length; i++) x[i] = i + 1;
        return x;
    }

    [Fact]
    public void SelectLastPicksEachRowsLastValidStep()
    {
        var x = Numbered(4, 3, 2);
        var last = new Tensor(0);
        SequenceOps.SelectLast(x, [4, 0, 2], last);
        Assert.Equal([3, 2], last.Shape);
        Assert.Equal(new float[] { x[3, 0, 0], x[3, 0, 1], 0, 0, x[1, 2, 0], x[1, 2, 1] }, last.Span.ToArray());
        SequenceOps.SelectLast(x, [], last);
        Assert.Equal(new float[] { x[3, 0, 0], x[3, 0, 1], x[3, 1, 0], x[3, 1, 1], x[3, 2, 0], x[3, 2, 1] }, last.Span.ToArray());
    }

    [Fact]
    public void SelectLastBackwardScattersIntoZeros()
    {
        var g = new Tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2);
        var dx = new Tensor(4, 3, 2);
        dx.Fill(9); // must be overwritten
        SequenceOps.SelectLastBackward(g, [4, 0, 2], 4, dx);
        Assert.Equal([4, 3, 2], dx.Shape);
        var expected = new float[24];
        expected[(3 * 3 + 0) * 2] = 1; expected[(3 * 3 + 0) * 2 + 1] = 2;
        expected[(1 * 3 + 2) * 2] = 5; expected[(1 * 3 + 2) * 2 + 1] = 6;
        Assert.Equal(expected, dx.Span.ToArray());
    }

    [Fact]
    public void ReverseSequencesReversesWithinLengthLikeTensorFlow()
    {
        var x = Numbered(4, 2, 1); // x[t, b] = t*2 + b + 1
        var y = new Tensor(0);
        SequenceOps.ReverseSequences(x, [3, 0], y);
        // Row 0: steps 0..2 reversed, step 3 kept; row 1 (length 0): unchanged.
        Assert.Equal(new float[] { 5, 2, 3, 4, 1, 6, 7, 8 }, y.Span.ToArray());
        SequenceOps.ReverseSequences(x, [], y);
        Assert.Equal(new float[] { 7, 8, 5, 6, 3, 4, 1, 2 }, y.Span.ToArray());
    }
}
