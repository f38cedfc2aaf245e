using Google.Protobuf;
using GpuMobileNet.Export.Onnx.Proto;
using DataType = GpuMobileNet.Export.Onnx.Proto.TensorProto.Types.DataType;
using AttrType = GpuMobileNet.Export.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace GpuMobileNet.Tests.Import.Onnx;

/// <summary>Writes small ONNX models by hand for importer tests: one float input, nodes in order, seeded weights.</summary>
internal sealed class OnnxModelBuilder
{
    private readonly GraphProto _graph = new() { Name = "test" };
    private readonly Random _rng;

    public OnnxModelBuilder(long opset, string input, long[] inputDims, int seed = 1)
    {
        Opset = opset;
        _rng = new Random(seed);
        _graph.Input.Add(Info(input, inputDims));
    }

    public long Opset { get; }
    public long IrVersion { get; set; } = 7;

    public string Weights(string name, params long[] dims)
    {
        long n = dims.Aggregate(1L, (a, b) => a * b);
        return Floats(name, Enumerable.Range(0, (int)n).Select(_ => (float)(_rng.NextDouble() * 2 - 1) * 0.5f).ToArray(), dims);
    }

    public string Floats(string name, float[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(data);
        _graph.Initializer.Add(t);
        return name;
    }

    public string Ints(string name, long[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Int64 };
        t.Dims.AddRange(dims.Length == 0 && data.Length != 1 ? [data.Length] : dims);
        t.Int64Data.AddRange(data);
        _graph.Initializer.Add(t);
        return name;
    }

    public TensorProto Initializer(string name) => _graph.Initializer.Single(t => t.Name == name);

    public string Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = output + "_node" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    public void AddNode(NodeProto node) => _graph.Node.Add(node);

    /// <summary>Another run-time (float) input; a negative dim is the symbolic batch.</summary>
    public void Input(string name, params long[] dims) => _graph.Input.Add(Info(name, dims));

    public void Output(string name, params long[] dims) => _graph.Output.Add(Info(name, dims));

    public ModelProto Model()
    {
        var m = new ModelProto { IrVersion = IrVersion, Graph = _graph.Clone(), ProducerName = "test" };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return m;
    }

    public byte[] Bytes() => Model().ToByteArray();

    public static AttributeProto Int(string name, long v) => new() { Name = name, Type = AttrType.Int, I = v };
    public static AttributeProto Float(string name, float v) => new() { Name = name, Type = AttrType.Float, F = v };
    public static AttributeProto Str(string name, string v) => new() { Name = name, Type = AttrType.String, S = ByteString.CopyFromUtf8(v) };

    public static AttributeProto IntList(string name, params long[] v)
    {
        var a = new AttributeProto { Name = name, Type = AttrType.Ints };
        a.Ints.AddRange(v);
        return a;
    }

    public static ValueInfoProto Info(string name, long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long d in dims)
            shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }
}
