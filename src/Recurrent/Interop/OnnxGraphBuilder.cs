using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Recurrent.Interop;

/// <summary>
/// Builds one ONNX graph out of the protobuf classes generated from <c>Interop/Onnx/onnx.proto</c>: inputs,
/// outputs, initializers (weights, as raw little-endian data) and nodes of the default operator set.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>The operator set the graphs use: every op below as of ONNX 1.12.</summary>
    public const long OpsetVersion = 17;

    /// <summary>ONNX IR version 8 (ONNX 1.10–1.12), which ONNX Runtime 1.10 and later read.</summary>
    public const long IrVersion = 8;

    private readonly GraphProto _graph;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal); // small constants by value
    private int _next;

    public OnnxGraphBuilder(string name) => _graph = new GraphProto { Name = name };

    /// <summary>Declares a graph input of the given element type and dimensions (ints or symbolic names).</summary>
    public string Input(string name, TensorProto.Types.DataType type, object[] dims, string doc)
    {
        Reserve(name);
        _graph.Input.Add(ValueInfo(name, type, dims, doc));
        return name;
    }

    /// <summary>Makes <paramref name="value"/> a graph output called <paramref name="name"/> (through an Identity node when it is named otherwise).</summary>
    public void Output(string name, string value, TensorProto.Types.DataType type, object[] dims, string doc)
    {
        if (value != name) Node("Identity", [value], name);
        _graph.Output.Add(ValueInfo(name, type, dims, doc));
    }

    /// <summary>A float32 constant of the given shape (dims empty for a scalar); small constants are shared.</summary>
    public string Floats(string name, ReadOnlySpan<float> values, params long[] dims) =>
        Constant(name, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(values), values.Length <= 16 ? "f" + string.Join(",", values.ToArray()) : null, dims);

    /// <summary>An int64 constant of the given shape (dims empty for a scalar); small constants are shared.</summary>
    public string Int64s(string name, ReadOnlySpan<long> values, params long[] dims) =>
        Constant(name, TensorProto.Types.DataType.Int64, MemoryMarshal.AsBytes(values), values.Length <= 16 ? "i" + string.Join(",", values.ToArray()) : null, dims);

    /// <summary>A 1-D int64 constant (axes, shapes).</summary>
    public string Axes(string name, params long[] values) => Int64s(name, values, values.Length);

    /// <summary>A float scalar constant.</summary>
    public string Scalar(string name, float value) => Floats(name, [value]);

    /// <summary>An int64 scalar constant.</summary>
    public string Scalar(string name, long value) => Int64s(name, [value]);

    private string Constant(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> data, string? key, long[] dims)
    {
        // ONNX stores raw_data little-endian.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export writes little-endian data and needs a little-endian host.");
        if (key is not null)
        {
            key += "|" + string.Join(",", dims);
            if (_constants.TryGetValue(key, out string? existing)) return existing;
        }
        var tensor = new TensorProto { Name = Unique(name), DataType = (int)type, RawData = ByteString.CopyFrom(data) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        if (key is not null) _constants[key] = tensor.Name;
        return tensor.Name;
    }

    /// <summary>Adds a node with one output and returns the output's name (<paramref name="output"/> or a fresh one).</summary>
    public string Node(string op, string[] inputs, string? output = null, params (string Name, object Value)[] attributes) =>
        NodeOutputs(op, inputs, [output ?? Unique(op.ToLowerInvariant())], attributes)[0];

    /// <summary>Adds a node with several outputs (empty names for optional outputs left out).</summary>
    public string[] NodeOutputs(string op, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Unique(op + "_node") };
        node.Input.AddRange(inputs);
        foreach (string o in outputs) if (o.Length > 0) _names.Add(o);
        node.Output.AddRange(outputs);
        foreach ((string name, object value) in attributes) node.Attribute.Add(Attribute(name, value));
        _graph.Node.Add(node);
        return outputs;
    }

    /// <summary>A fresh value name starting with <paramref name="stem"/>.</summary>
    public string Unique(string stem)
    {
        string name = stem;
        while (!_names.Add(name)) name = $"{stem}_{++_next}";
        return name;
    }

    /// <summary>The finished model: this graph, opset <see cref="OpsetVersion"/>, and <paramref name="metadata"/> as metadata_props.</summary>
    public ModelProto Build(string doc, IReadOnlyDictionary<string, string> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Recurrent",
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "",
            DocString = doc,
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        foreach ((string key, string value) in metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    private void Reserve(string name)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"ONNX value name '{name}' is used twice.");
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims, string doc)
    {
        var shape = new TensorShapeProto();
        foreach (object d in dims)
            shape.Dim.Add(d is string symbol ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
        return new ValueInfoProto
        {
            Name = name,
            DocString = doc,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    private static AttributeProto Attribute(string name, object value)
    {
        var a = new AttributeProto { Name = name };
        switch (value)
        {
            case int i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
            case long l: a.Type = AttributeProto.Types.AttributeType.Int; a.I = l; break;
            case float f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = f; break;
            case string s: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(s); break;
            case long[] ints: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(ints); break;
            case float[] floats: a.Type = AttributeProto.Types.AttributeType.Floats; a.Floats.AddRange(floats); break;
            case string[] strings:
                a.Type = AttributeProto.Types.AttributeType.Strings;
                foreach (string s in strings) a.Strings.Add(ByteString.CopyFromUtf8(s));
                break;
            default: throw new ArgumentException($"Attribute '{name}' has an unsupported type {value.GetType().Name}.", nameof(value));
        }
        return a;
    }
}
