using System.Buffers.Binary;
using System.Text.Json;
using Recurrent.Tensors;

namespace Recurrent.Interop;

/// <summary>One tensor of a <see cref="SafeTensorsFile"/>: its name, its stored dtype and shape, and its values as float32.</summary>
/// <param name="Name">The key in the file (for a PyTorch state dict, the parameter's dotted name).</param>
/// <param name="DType">The dtype as stored: <c>F32</c>, <c>F64</c>, <c>F16</c> or <c>BF16</c>.</param>
/// <param name="Shape">The stored shape (empty for a scalar).</param>
/// <param name="Values">The values converted to float32, with the stored shape (a scalar becomes shape [1]).</param>
internal sealed record SafeTensor(string Name, string DType, int[] Shape, Tensor Values)
{
    /// <summary>The shape as PyTorch prints it, e.g. <c>[800, 200]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// Reads any file in the safetensors layout (as Python's <c>safetensors</c> library or <c>tools/safetensors_numpy.py</c>
/// write it): an 8-byte little-endian header length N, N bytes of JSON
/// <c>{"__metadata__": {…}, "name": {"dtype", "shape", "data_offsets": [begin, end]}, …}</c>, then the raw
/// little-endian data. Floating-point tensors (F32, F64, F16, BF16) are read as float32.
/// </summary>
/// <remarks>
/// <see cref="Training.Checkpoints.CheckpointFile"/> reads our own checkpoints, which are safetensors files too, but it
/// insists on what only our writer guarantees (F32 only, our <c>format</c> metadata and checksum, tensors in header
/// order); a state dict saved by PyTorch has none of that, so it is read here with the format's own rules.
/// </remarks>
internal sealed class SafeTensorsFile
{
    /// <summary>Header size limit, as in the safetensors library (100 MB): a larger length means the file is something else.</summary>
    private const long MaxHeaderLength = 100_000_000;

    private readonly Dictionary<string, SafeTensor> _byName;

    private SafeTensorsFile(string path, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<SafeTensor> tensors)
    {
        Path = path;
        Metadata = metadata;
        Tensors = tensors;
        _byName = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (SafeTensor t in tensors) _byName.Add(t.Name, t);
    }

    /// <summary>The file it was read from (for error messages).</summary>
    public string Path { get; }

    /// <summary>The <c>__metadata__</c> entries (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in header order.</summary>
    public IReadOnlyList<SafeTensor> Tensors { get; }

    /// <summary>The tensor called <paramref name="name"/>, or null.</summary>
    public SafeTensor? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Reads and validates a safetensors file.</summary>
    /// <exception cref="RecurrentException">The file is missing, truncated, not in the safetensors layout, holds a tensor
    /// whose dtype is not a floating-point one (or a value too large for float32), or describes data outside the file.
    /// The message names the file and the tensor.</exception>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new RecurrentException($"'{path}' does not exist.");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return ReadFrom(path, stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecurrentException($"Cannot read '{path}': {e.Message}", e);
        }
    }

    private static SafeTensorsFile ReadFrom(string path, FileStream stream)
    {
        long fileLength = stream.Length;
        if (fileLength < 8) throw Fail(path, $"is not a safetensors file: {fileLength} bytes, less than the 8-byte header length.");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength < 2 || headerLength > MaxHeaderLength)
            throw Fail(path, $"is not a safetensors file: the header length field reads {headerLength}.");
        if ((long)headerLength > fileLength - 8)
            throw Fail(path, $"is truncated: the header needs {headerLength} bytes but the file has {fileLength - 8} after the length field.");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + (long)headerLength, dataLength = fileLength - dataStart;

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<(string Name, string DType, int[] Shape, long Begin, long End)>();
        try
        {
            using JsonDocument document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw Fail(path, "is not a safetensors file: its header is not a JSON object.");
            foreach (JsonProperty p in document.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind != JsonValueKind.Object) throw Fail(path, "has a corrupt header: __metadata__ is not an object.");
                    foreach (JsonProperty m in p.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                entries.Add(ReadEntry(path, p, dataLength));
            }
        }
        catch (JsonException e)
        {
            throw Fail(path, $"has a header that is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw Fail(path, $"has a corrupt header: {e.Message}", e);
        }

        var tensors = new List<SafeTensor>(entries.Count);
        foreach (var (name, dtype, shape, begin, end) in entries)
        {
            var bytes = new byte[end - begin];
            stream.Position = dataStart + begin;
            stream.ReadExactly(bytes);
            var values = new Tensor(shape.Length == 0 ? [1] : shape);
            Convert(path, name, dtype, bytes, values.Span);
            tensors.Add(new SafeTensor(name, dtype, shape, values));
        }
        return new SafeTensorsFile(path, metadata, tensors);
    }

    private static (string, string, int[], long, long) ReadEntry(string path, JsonProperty p, long dataLength)
    {
        string name = p.Name;
        JsonElement v = p.Value;
        if (v.ValueKind != JsonValueKind.Object
            || !v.TryGetProperty("dtype", out JsonElement dtypeJson) || dtypeJson.ValueKind != JsonValueKind.String
            || !v.TryGetProperty("shape", out JsonElement shapeJson) || shapeJson.ValueKind != JsonValueKind.Array
            || !v.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Fail(path, $"has a corrupt header: tensor '{name}' needs \"dtype\", \"shape\" and a two-element \"data_offsets\".");
        string dtype = dtypeJson.GetString()!;
        int size = dtype switch
        {
            "F32" => 4,
            "F64" => 8,
            "F16" or "BF16" => 2,
            _ => throw Fail(path, $"stores tensor '{name}' as {dtype}; only floating-point tensors (F32, F64, F16, BF16) can be read."),
        };
        var shape = new int[shapeJson.GetArrayLength()];
        long count = 1;
        int k = 0;
        foreach (JsonElement d in shapeJson.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0)
                throw Fail(path, $"has a corrupt header: tensor '{name}' has an invalid shape {shapeJson.GetRawText()}.");
            shape[k++] = dim;
            count *= dim;
            if (count > Array.MaxLength) throw Fail(path, $"has a corrupt header: tensor '{name}' of shape {shapeJson.GetRawText()} is too large.");
        }
        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw Fail(path, $"has a corrupt header: tensor '{name}' has invalid data_offsets {offsets.GetRawText()}.");
        if (end - begin != count * size)
            throw Fail(path, $"has a corrupt header: tensor '{name}' ({dtype} {shapeJson.GetRawText()}) needs {count * size} bytes but its data_offsets are [{begin}, {end}].");
        if (end > dataLength)
            throw Fail(path, $"is truncated: tensor '{name}' ends at data byte {end} but the file holds {dataLength} bytes of data.");
        return (name, dtype, shape, begin, end);
    }

    private static void Convert(string path, string name, string dtype, ReadOnlySpan<byte> bytes, Span<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            float v = dtype switch
            {
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(4 * i)),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.Slice(2 * i)),
                // bfloat16 is the upper half of a float32.
                "BF16" => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(2 * i)) << 16),
                _ => ToSingle(path, name, BinaryPrimitives.ReadDoubleLittleEndian(bytes.Slice(8 * i))),
            };
            values[i] = v;
        }
    }

    private static float ToSingle(string path, string name, double value)
    {
        float v = (float)value;
        if (float.IsInfinity(v) && !double.IsInfinity(value))
            throw Fail(path, $"stores in tensor '{name}' the value {value:R}, beyond float32's range.");
        return v;
    }

    private static RecurrentException Fail(string path, string what, Exception? inner = null) =>
        inner is null ? new($"'{path}' {what}") : new($"'{path}' {what}", inner);
}
