using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Recurrent.Tests.Interop;

/// <summary>Writes small safetensors files for the tests, in any dtype, independently of the library's readers.</summary>
internal static class SafeTensorsWriter
{
    public sealed record Entry(string Name, int[] Shape, double[] Values, string DType = "F32");

    public static void Write(string path, params Entry[] entries)
    {
        var header = new Dictionary<string, object>();
        var data = new MemoryStream();
        var b = new byte[8];
        foreach (Entry e in entries)
        {
            long begin = data.Length;
            foreach (double v in e.Values)
            {
                switch (e.DType)
                {
                    case "F32": BinaryPrimitives.WriteSingleLittleEndian(b, (float)v); data.Write(b[..4]); break;
                    case "F64": BinaryPrimitives.WriteDoubleLittleEndian(b, v); data.Write(b); break;
                    case "F16": BinaryPrimitives.WriteHalfLittleEndian(b, (Half)v); data.Write(b[..2]); break;
                    case "BF16": BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)(BitConverter.SingleToInt32Bits((float)v) >> 16)); data.Write(b[..2]); break;
                    case "I64": BinaryPrimitives.WriteInt64LittleEndian(b, (long)v); data.Write(b); break;
                    default: throw new ArgumentException(e.DType);
                }
            }
            header[e.Name] = new { dtype = e.DType, shape = e.Shape, data_offsets = new[] { begin, data.Length } };
        }
        byte[] json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        using FileStream file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        file.Write(length);
        file.Write(json);
        data.Position = 0;
        data.CopyTo(file);
    }

    /// <summary>Values 0.1·(i + 1)·sign, distinct and exact enough for every dtype's check.</summary>
    public static double[] Ramp(int n) => Enumerable.Range(0, n).Select(i => (i % 2 == 0 ? 1 : -1) * 0.125 * (i + 1)).ToArray();
}
