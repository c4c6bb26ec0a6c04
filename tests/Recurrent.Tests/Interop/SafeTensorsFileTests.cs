using Recurrent.Interop;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Interop;

/// <summary>Plain safetensors files (as PyTorch users save them): every floating-point dtype, and clear refusals.</summary>
public sealed class SafeTensorsFileTests
{
    [Theory]
    [InlineData("F32")]
    [InlineData("F64")]
    [InlineData("F16")]
    [InlineData("BF16")]
    public void Floating_point_dtypes_read_as_float32(string dtype)
    {
        using var dir = new TempDirectory();
        string path = dir.File("a.safetensors");
        double[] values = SafeTensorsWriter.Ramp(6); // multiples of 1/8 up to 0.75: exact in every dtype
        SafeTensorsWriter.Write(path, new SafeTensorsWriter.Entry("layer.weight", [2, 3], values, dtype), new SafeTensorsWriter.Entry("layer.bias", [], [2.5], dtype));
        SafeTensorsFile file = SafeTensorsFile.Read(path);
        Assert.Equal(["layer.weight", "layer.bias"], file.Tensors.Select(t => t.Name));
        SafeTensor w = file.Find("layer.weight")!;
        Assert.Equal(dtype, w.DType);
        Assert.Equal([2, 3], w.Shape);
        Assert.Equal(values.Select(v => (float)v), w.Values.Span.ToArray());
        SafeTensor b = file.Find("layer.bias")!;
        Assert.Empty(b.Shape);
        Assert.Equal([2.5f], b.Values.Span.ToArray());
    }

    [Fact]
    public void Integer_tensors_are_refused_by_name()
    {
        using var dir = new TempDirectory();
        string path = dir.File("a.safetensors");
        SafeTensorsWriter.Write(path, new SafeTensorsWriter.Entry("bn.num_batches_tracked", [1], [3], "I64"));
        var e = Assert.Throws<RecurrentException>(() => SafeTensorsFile.Read(path));
        Assert.Contains("'bn.num_batches_tracked' as I64", e.Message);
    }

    [Fact]
    public void Truncated_and_foreign_files_are_refused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("a.safetensors");
        SafeTensorsWriter.Write(path, new SafeTensorsWriter.Entry("w", [4], SafeTensorsWriter.Ramp(4)));
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);
        Assert.Contains("is truncated: tensor 'w'", Assert.Throws<RecurrentException>(() => SafeTensorsFile.Read(path)).Message);
        File.WriteAllText(path, "PK\u0003\u0004 a zip file, as torch.save writes");
        Assert.Contains("is not a safetensors file", Assert.Throws<RecurrentException>(() => SafeTensorsFile.Read(path)).Message);
        Assert.Contains("does not exist", Assert.Throws<RecurrentException>(() => SafeTensorsFile.Read(dir.File("none"))).Message);
    }

    [Fact]
    public void Values_beyond_float32_are_refused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("a.safetensors");
        SafeTensorsWriter.Write(path, new SafeTensorsWriter.Entry("w", [2], [1, 1e300], "F64"));
        Assert.Contains("beyond float32's range", Assert.Throws<RecurrentException>(() => SafeTensorsFile.Read(path)).Message);
    }
}
