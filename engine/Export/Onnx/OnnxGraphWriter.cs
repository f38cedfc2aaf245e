using GpuMobileNet.Export.Onnx.Proto;
using GpuMobileNet.Graph;

namespace GpuMobileNet.Export.Onnx;

/// <summary>Accumulates the ONNX nodes and initializers of one exported graph and keeps our values'
/// ONNX names and ranks. Our values are per-sample C x H x W; in ONNX they are [N, C, H, W] (rank 4),
/// except that Flatten, Dense and a channel Softmax produce [N, C] (rank 2), as ONNX's Gemm and
/// classifier outputs expect. A consumer that needs the other rank gets a converted copy, made once.</summary>
internal sealed class OnnxGraphWriter
{
    private readonly GraphProto _graph;
    private readonly ModelGraph _source;
    // Tensor and initializer names share one namespace in ONNX; node names have their own.
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly Dictionary<Value, (string Name, int Rank)> _tensors = [];
    private readonly Dictionary<(Value, int), string> _converted = [];
    private readonly string _outputName;
    private string? _clipMin, _clipMax, _to4dShape;

    public OnnxGraphWriter(ModelGraph source, GraphProto graph)
    {
        _source = source;
        _graph = graph;
        // The input and output keep our names so callers can bind them by name; reserve them first
        // so no intermediate tensor or initializer takes them.
        foreach (var input in source.Inputs) _tensors[input] = (Reserve(input.Name), 4);
        _outputName = source.Inputs.Contains(source.Output) ? Unique(source.Output.Name) : Reserve(source.Output.Name);
    }

    /// <summary>Rank of the graph output: [N, C] for a C x 1 x 1 output (a classifier), else [N, C, H, W].</summary>
    public int OutputRank => IsVector(_source.Output) ? 2 : 4;

    public static bool IsVector(Value v) => v.Shape.H == 1 && v.Shape.W == 1;

    public int RankOf(Value v) => Lookup(v).Rank;

    /// <summary>The ONNX name of <paramref name="v"/> as a tensor of rank <paramref name="rank"/>, adding a
    /// Flatten (to [N, C*H*W], NCHW order like our FlattenOp) or a Reshape to [N, C, 1, 1] when needed.</summary>
    public string Tensor(Value v, int rank)
    {
        var (name, have) = Lookup(v);
        if (have == rank)
            return name;
        if (_converted.TryGetValue((v, rank), out var done))
            return done;
        // The graph output's converted copy is the one that carries the output's name.
        string output = v == _source.Output && rank == OutputRank ? _outputName : Unique($"{name}_{rank}d");
        if (rank == 2)
            AddNode("Flatten", $"{name}_flatten", [name], output, Attr.Int("axis", 1));
        else
        {
            // Rank-2 tensors only ever hold C x 1 x 1 values, so [N, C] -> [N, C, 1, 1] is exact; 0 copies N.
            _to4dShape ??= AddInt64Initializer("reshape_to_nc11", [0, -1, 1, 1]);
            AddNode("Reshape", $"{name}_to_4d", [name, _to4dShape], output);
        }
        _converted[(v, rank)] = output;
        return output;
    }

    /// <summary>Names the ONNX tensor that will hold <paramref name="v"/> at <paramref name="rank"/>.</summary>
    public string Define(Value v, int rank)
    {
        if (_tensors.ContainsKey(v))
            throw new InvalidOperationException($"value '{v.Name}' is defined twice");
        // The graph output is named after our output unless a rank conversion must follow it.
        string name = v == _source.Output && rank == OutputRank ? _outputName : Unique(v.Name);
        _tensors[v] = (name, rank);
        return name;
    }

    /// <summary>A fresh tensor name for an intermediate result inside one op's mapping.</summary>
    public string Temp(string baseName) => Unique(baseName);

    public void AddNode(string opType, string name, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Unique(_nodeNames, name) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
    }

    public string AddFloatInitializer(string name, float[] data, params long[] dims)
    {
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (count != data.Length)
            throw new InvalidOperationException($"initializer '{name}': {data.Length} values for shape [{string.Join(", ", dims)}]");
        var t = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(data);
        _graph.Initializer.Add(t);
        return t.Name;
    }

    public string AddInt64Initializer(string name, long[] data)
    {
        var t = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(data.Length);
        t.Int64Data.AddRange(data);
        _graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>Writes act(<paramref name="input"/>) to <paramref name="output"/>; None becomes Identity so
    /// every one of our values still has its own ONNX tensor.</summary>
    public void Activate(Activation act, string nodeName, string input, string output, Node owner)
    {
        switch (act)
        {
            case Activation.None:
                AddNode("Identity", nodeName, [input], output);
                break;
            case Activation.Relu:
                AddNode("Relu", nodeName, [input], output);
                break;
            case Activation.Relu6:
                // Opset 11+ Clip takes its bounds as scalar inputs; one shared pair serves every Relu6.
                _clipMin ??= AddScalar("relu6_min", 0f);
                _clipMax ??= AddScalar("relu6_max", 6f);
                AddNode("Clip", nodeName, [input, _clipMin, _clipMax], output);
                break;
            case Activation.Sigmoid:
                AddNode("Sigmoid", nodeName, [input], output);
                break;
            case Activation.HardSigmoid:
                AddNode("HardSigmoid", nodeName, [input], output, Attr.Float("alpha", 1f / 6), Attr.Float("beta", 0.5f));
                break;
            case Activation.KerasHardSigmoid:
                AddNode("HardSigmoid", nodeName, [input], output, Attr.Float("alpha", 0.2f), Attr.Float("beta", 0.5f));
                break;
            case Activation.HardSwish or Activation.Swish or Activation.KerasHardSwish:
            {
                // x * gate(x): HardSwish is opset 14 and Swish opset 24, so at opset 13 both are the product.
                string gate = Temp($"{nodeName}_gate");
                Activate(GateOf(act), $"{nodeName}_gate", input, gate, owner);
                AddNode("Mul", nodeName, [input, gate], output);
                break;
            }
            case Activation.LeakyRelu:
                AddNode("LeakyRelu", nodeName, [input], output, Attr.Float("alpha", Runtime.Reference.ActivationMath.LeakySlope));
                break;
            default:
                throw new NotSupportedException($"ONNX export: {owner} uses activation {act}, which has no ONNX mapping");
        }
    }

    private static Activation GateOf(Activation act) => act switch
    {
        Activation.HardSwish => Activation.HardSigmoid,
        Activation.KerasHardSwish => Activation.KerasHardSigmoid,
        _ => Activation.Sigmoid,
    };

    public static void CheckActivation(Activation act, Node owner)
    {
        if (act is not (Activation.None or Activation.Relu or Activation.Relu6 or Activation.Sigmoid or Activation.HardSigmoid or Activation.HardSwish or Activation.Swish
            or Activation.KerasHardSigmoid or Activation.KerasHardSwish or Activation.LeakyRelu))
            throw new NotSupportedException($"ONNX export: {owner} uses activation {act}, which has no ONNX mapping");
    }

    private string AddScalar(string name, float value)
    {
        // A rank-0 tensor: no dims.
        var t = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float };
        t.FloatData.Add(value);
        _graph.Initializer.Add(t);
        return t.Name;
    }

    private (string Name, int Rank) Lookup(Value v) =>
        _tensors.TryGetValue(v, out var t) ? t : throw new InvalidOperationException($"value '{v.Name}' is read before it is written");

    private string Reserve(string name)
    {
        if (!_names.Add(name))
            throw new InvalidOperationException($"name '{name}' is reserved twice");
        return name;
    }

    private string Unique(string baseName) => Unique(_names, baseName);

    private static string Unique(HashSet<string> names, string baseName)
    {
        if (names.Add(baseName))
            return baseName;
        for (int i = 1; ; i++)
            if (names.Add($"{baseName}_{i}"))
                return $"{baseName}_{i}";
    }
}
