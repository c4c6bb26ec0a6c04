using Recurrent.Tensors;

namespace Recurrent.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void ResizeReusesStorageWhenItFits()
    {
        var t = new Tensor(4, 5);
        float[] storage = t.Data;
        t.Resize(2, 3, 3);
        Assert.Same(storage, t.Data);
        Assert.Equal(18, t.Length);
        Assert.Equal([2, 3, 3], t.Shape);
        t.Resize(30);
        Assert.NotSame(storage, t.Data);
        Assert.Equal(30, t.Length);
    }

    [Fact]
    public void IndexersAreRowMajor()
    {
        var t = new Tensor(2, 3, 4);
        for (int i = 0; i < t.Length; i++) t[i] = i;
        Assert.Equal(1 * 12 + 2 * 4 + 3, t[1, 2, 3]);
        Assert.Equal(12, t.Slice(1)[0]);
        Assert.Equal(12, t.Slice(1).Length);
    }

    [Fact]
    public void CloneIsDeep()
    {
        var t = new Tensor(3);
        t[0] = 1;
        var c = t.Clone();
        c[0] = 2;
        Assert.Equal(1, t[0]);
    }

    [Fact]
    public void RejectsNegativeDimensionsAndShortStorage()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Tensor(2, -1));
        Assert.Throws<ArgumentException>(() => new Tensor(new float[5], 2, 3));
    }
}
