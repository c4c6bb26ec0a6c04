using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Recurrent.Tensors;

namespace Recurrent.Training.Checkpoints;

/// <summary>
/// Reads and writes checkpoints: one file in the safetensors layout, so the weights open with Python's
/// <c>safetensors</c> library, with our own metadata and a checksum of the data. See docs/checkpoint-format.md.
/// </summary>
/// <remarks>
/// Layout: an 8-byte little-endian header length <c>N</c>; <c>N</c> bytes of UTF-8 JSON
/// <c>{"__metadata__": {string: string}, "name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...}</c>
/// padded with spaces to a multiple of 8; then the float32 data, little-endian, tensor after tensor in header
/// order, offsets relative to the end of the header. <c>__metadata__</c> holds <c>format</c> =
/// <c>recurrent-checkpoint</c>, <c>format_version</c> = <c>1</c>, <c>data_sha256</c> (hex SHA-256 of the whole data
/// section) and the caller's entries (strings; the model config, vocabulary and training state as JSON text).
/// </remarks>
public static class CheckpointFile
{
    /// <summary>The <c>format</c> metadata entry of every checkpoint.</summary>
    public const string FormatName = "recurrent-checkpoint";
    /// <summary>The <c>format_version</c> this library writes and reads.</summary>
    public const int FormatVersion = 1;

    private const string FormatKey = "format";
    private const string VersionKey = "format_version";
    private const string ChecksumKey = "data_sha256";
    private const string MetadataKey = "__metadata__";

    /// <summary>Header size limit, as in the safetensors library (100 MB): a larger length means the file is something else.</summary>
    private const long MaxHeaderLength = 100_000_000;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keep "<eos>" and non-ASCII words readable in the header; quotes and control characters are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>True for the keys the format itself writes into <c>__metadata__</c>; callers may not use them.</summary>
    public static bool IsReservedMetadataKey(string key) => key is FormatKey or VersionKey or ChecksumKey;

    /// <summary>
    /// Writes a checkpoint atomically with <see cref="AtomicFile"/>: the data go to a temporary file in the same
    /// folder, which is flushed to disk and then renamed over <paramref name="path"/>, and the folder is flushed.
    /// If anything fails on the way the temporary file is deleted and an existing file at <paramref name="path"/>
    /// is left as it was.
    /// </summary>
    /// <exception cref="ArgumentException">A tensor name is empty, repeated or <c>__metadata__</c>, or a metadata key is reserved.</exception>
    /// <exception cref="RecurrentException">The file cannot be written (no space, a file-size limit, no permission, a
    /// read-only folder); the message names the path, and the previous checkpoint there is intact.</exception>
    public static void Write(string path, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<NamedTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (string key in metadata.Keys)
            if (IsReservedMetadataKey(key))
                throw new ArgumentException($"Metadata key '{key}' is reserved by the checkpoint format.", nameof(metadata));

        (byte[] header, int checksumAt) = BuildHeader(metadata, tensors);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            for (int i = 0; i < tensors.Count; i++)
                WriteFloats(stream, hash, tensors[i].Tensor.Span);

            // The header was written with a placeholder where the checksum goes; fill it in now that the data are known.
            stream.Position = 8 + checksumAt;
            stream.Write(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(hash.GetHashAndReset())));
        });
    }

    /// <summary>Reads and validates a checkpoint.</summary>
    /// <exception cref="RecurrentException">The file is missing, is not a checkpoint, has another format version,
    /// is truncated, has a header that is not valid JSON or describes impossible offsets, or its data do not match
    /// the stored checksum. The message names the file.</exception>
    public static Checkpoint Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecurrentException($"Cannot open checkpoint '{path}': {e.Message}", e);
        }
        using (stream)
        {
            try
            {
                return ReadFrom(path, stream);
            }
            catch (IOException e)
            {
                throw new RecurrentException($"Cannot read checkpoint '{path}': {e.Message}", e);
            }
        }
    }

    private static Checkpoint ReadFrom(string path, FileStream stream)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw Fail(path, $"is truncated or not a checkpoint: {fileLength} bytes, less than the 8-byte header length.");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength < 2 || headerLength > MaxHeaderLength)
            throw Fail(path, $"is not a {FormatName} file (safetensors layout): the header length field reads {headerLength}.");
        if ((long)headerLength > fileLength - 8)
            throw Fail(path, $"is truncated: the header needs {headerLength} bytes after the length field but the file has only {fileLength - 8}.");

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        if (header.AsSpan().TrimStart((byte)' ') is not [(byte)'{', ..])
            throw Fail(path, $"is not a {FormatName} file (safetensors layout): the header does not start with a JSON object.");

        // JsonDocument checks the JSON structure but not the text inside strings: invalid UTF-8 there would surface
        // later as an InvalidOperationException from GetString.
        if (InvalidUtf8At(header) is int bad)
            throw Fail(path, $"has a header that is not valid UTF-8: byte {8 + bad} of the file starts an invalid sequence.");

        using JsonDocument document = ParseHeader(path, header);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw Fail(path, "is not a checkpoint: its header is not a JSON object.");

        Dictionary<string, string> metadata;
        string expectedHash;
        List<Entry> entries;
        try
        {
            (metadata, expectedHash) = ReadMetadata(path, root);
            entries = ReadTensorEntries(path, root);
        }
        catch (InvalidOperationException e)
        {
            // GetString and property names throw this for an escape that is not UTF-16 (a lone surrogate, \ud800).
            throw Fail(path, $"has a corrupt header: {e.Message}", e);
        }

        // The data must be exactly the tensors, back to back, like the safetensors library requires.
        var byOffset = entries.ToArray();
        Array.Sort(byOffset, static (a, b) => a.Begin.CompareTo(b.Begin));
        long dataLength = 0;
        foreach (var e in byOffset)
        {
            if (e.Begin != dataLength)
                throw Fail(path, $"has a corrupt header: tensor '{e.Name}' starts at data offset {e.Begin}, expected {dataLength} (tensors must be contiguous and must not overlap).");
            dataLength = e.End;
        }
        long expectedLength = 8 + (long)headerLength + dataLength;
        if (fileLength < expectedLength)
            throw Fail(path, $"is truncated: the header describes {expectedLength} bytes but the file has {fileLength}.");
        if (fileLength > expectedLength)
            throw Fail(path, $"is corrupt: {fileLength - expectedLength} unexpected bytes after the {dataLength} bytes of tensor data.");

        var tensors = new Tensor[entries.Count];
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            foreach (var e in byOffset)
            {
                var t = new Tensor(e.Shape);
                ReadFloats(stream, hash, t.Span);
                tensors[e.Index] = t;
            }
            string actualHash = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!string.Equals(actualHash, expectedHash, StringComparison.OrdinalIgnoreCase))
                throw Fail(path, $"is corrupt: the SHA-256 of its tensor data is {actualHash}, the header records {expectedHash}.");
        }

        var named = new NamedTensor[entries.Count];
        for (int i = 0; i < named.Length; i++) named[i] = new NamedTensor(entries[i].Name, tensors[i]);
        return new Checkpoint(path, metadata, named);
    }

    /// <summary>The offset of the first byte that does not start a valid UTF-8 sequence, or null.</summary>
    private static int? InvalidUtf8At(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return null;
        int offset = 0;
        while (Rune.DecodeFromUtf8(bytes[offset..], out _, out int consumed) == OperationStatus.Done) offset += consumed;
        return offset;
    }

    private static JsonDocument ParseHeader(string path, byte[] header)
    {
        try
        {
            return JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw Fail(path, $"has a header that is not valid JSON: {e.Message}", e);
        }
    }

    private static (Dictionary<string, string> Metadata, string Hash) ReadMetadata(string path, JsonElement root)
    {
        if (!root.TryGetProperty(MetadataKey, out JsonElement meta) || meta.ValueKind != JsonValueKind.Object)
            throw Fail(path, $"is not a {FormatName} file: its header has no {MetadataKey} object (a plain safetensors file?).");

        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty p in meta.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
                throw Fail(path, $"has a corrupt header: metadata entry '{p.Name}' is not a string.");
            if (!all.TryAdd(p.Name, p.Value.GetString()!))
                throw Fail(path, $"has a corrupt header: metadata entry '{p.Name}' appears twice.");
        }
        if (!all.TryGetValue(FormatKey, out string? format) || format != FormatName)
            throw Fail(path, $"is not a {FormatName} file: its metadata format is {(format is null ? "missing" : $"'{format}'")}.");
        if (!all.TryGetValue(VersionKey, out string? version) || version != FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw Fail(path, $"has checkpoint format version {(version is null ? "(missing)" : $"'{version}'")}; this build reads version {FormatVersion}.");
        if (!all.TryGetValue(ChecksumKey, out string? hash) || hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
            throw Fail(path, $"has a corrupt header: '{ChecksumKey}' is missing or not a 64-digit hex SHA-256.");

        foreach (string key in (string[])[FormatKey, VersionKey, ChecksumKey]) all.Remove(key);
        return (all, hash);
    }

    private readonly record struct Entry(int Index, string Name, int[] Shape, long Begin, long End);

    private static List<Entry> ReadTensorEntries(string path, JsonElement root)
    {
        var entries = new List<Entry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty p in root.EnumerateObject())
        {
            if (p.Name == MetadataKey) continue;
            string name = p.Name;
            if (!seen.Add(name)) throw Fail(path, $"has a corrupt header: tensor '{name}' appears twice.");
            JsonElement v = p.Value;
            if (v.ValueKind != JsonValueKind.Object
                || !v.TryGetProperty("dtype", out JsonElement dtype) || dtype.ValueKind != JsonValueKind.String
                || !v.TryGetProperty("shape", out JsonElement shapeJson) || shapeJson.ValueKind != JsonValueKind.Array
                || !v.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array
                || offsets.GetArrayLength() != 2)
                throw Fail(path, $"has a corrupt header: tensor '{name}' needs \"dtype\", \"shape\" and a two-element \"data_offsets\".");
            if (dtype.GetString() != "F32")
                throw Fail(path, $"stores tensor '{name}' as {dtype.GetString()}; only F32 is supported.");

            int[] shape = new int[shapeJson.GetArrayLength()];
            if (shape.Length == 0) throw Fail(path, $"stores tensor '{name}' as a scalar (shape []); tensors need at least one dimension.");
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
            long begin = ReadOffset(path, name, offsets[0]), end = ReadOffset(path, name, offsets[1]);
            if (end < begin || end - begin != count * sizeof(float))
                throw Fail(path, $"has a corrupt header: tensor '{name}' of shape {shapeJson.GetRawText()} needs {count * sizeof(float)} bytes but its data_offsets are [{begin}, {end}].");
            entries.Add(new Entry(entries.Count, name, shape, begin, end));
        }
        return entries;
    }

    private static long ReadOffset(string path, string name, JsonElement e) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v) && v >= 0 ? v
            : throw Fail(path, $"has a corrupt header: tensor '{name}' has a data offset that is not a non-negative integer ({e.GetRawText()}).");

    /// <summary>The header bytes (padded to a multiple of 8) and where in them the checksum placeholder starts.</summary>
    private static (byte[] Header, int ChecksumAt) BuildHeader(IReadOnlyDictionary<string, string> metadata, IReadOnlyList<NamedTensor> tensors)
    {
        string placeholder = new('0', 64);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject(MetadataKey);
            // The format's keys first, so the checksum placeholder is the first "data_sha256" key in the header.
            json.WriteString(FormatKey, FormatName);
            json.WriteString(VersionKey, FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString(ChecksumKey, placeholder);
            foreach (var (key, value) in metadata) json.WriteString(key, value);
            json.WriteEndObject();

            var names = new HashSet<string>(StringComparer.Ordinal);
            long offset = 0;
            for (int i = 0; i < tensors.Count; i++)
            {
                NamedTensor t = tensors[i];
                if (string.IsNullOrEmpty(t.Name) || t.Name == MetadataKey)
                    throw new ArgumentException($"Tensor {i} has an invalid name '{t.Name}'.", nameof(tensors));
                if (!names.Add(t.Name))
                    throw new ArgumentException($"Tensor name '{t.Name}' appears twice.", nameof(tensors));
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in t.Tensor.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                long bytes = (long)t.Tensor.Length * sizeof(float);
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }

        // Pad with spaces (allowed by safetensors) so the data start 8-byte aligned.
        int padded = (buffer.WrittenCount + 7) & ~7;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');

        byte[] marker = Encoding.UTF8.GetBytes($"\"{ChecksumKey}\":\"{placeholder}\"");
        int at = header.AsSpan().IndexOf(marker);
        return (header, at + marker.Length - 1 - placeholder.Length);
    }

    private static void WriteFloats(Stream stream, IncrementalHash hash, ReadOnlySpan<float> data)
    {
        if (BitConverter.IsLittleEndian)
        {
            ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(data);
            stream.Write(bytes);
            hash.AppendData(bytes);
            return;
        }
        // Big-endian hosts: swap through a small buffer; the file is always little-endian.
        Span<int> chunk = stackalloc int[1024];
        for (int i = 0; i < data.Length; i += chunk.Length)
        {
            var part = MemoryMarshal.Cast<float, int>(data.Slice(i, Math.Min(chunk.Length, data.Length - i)));
            BinaryPrimitives.ReverseEndianness(part, chunk);
            ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(chunk[..part.Length]);
            stream.Write(bytes);
            hash.AppendData(bytes);
        }
    }

    private static void ReadFloats(Stream stream, IncrementalHash hash, Span<float> data)
    {
        Span<byte> bytes = MemoryMarshal.AsBytes(data);
        stream.ReadExactly(bytes);
        hash.AppendData(bytes);
        if (!BitConverter.IsLittleEndian)
        {
            Span<int> ints = MemoryMarshal.Cast<float, int>(data);
            BinaryPrimitives.ReverseEndianness(ints, ints);
        }
    }

    private static RecurrentException Fail(string path, string what, Exception? inner = null) =>
        inner is null ? new($"Checkpoint '{path}' {what}") : new($"Checkpoint '{path}' {what}", inner);
}
