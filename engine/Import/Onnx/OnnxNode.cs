using System.Text;
using GpuMobileNet.Export.Onnx.Proto;
using AttrType = GpuMobileNet.Export.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace GpuMobileNet.Import.Onnx;

/// <summary>One NodeProto with its opset version, typed attribute access and errors that name the file, the node
/// and its op.</summary>
internal sealed class OnnxNode
{
    private readonly string _file;
    private readonly Dictionary<string, AttributeProto> _attributes = new(StringComparer.Ordinal);

    public OnnxNode(NodeProto proto, string file, long opset, int index)
    {
        Proto = proto;
        _file = file;
        Opset = opset;
        // Node names are optional in ONNX; the first output names the node in messages otherwise.
        Name = proto.Name.Length > 0 ? proto.Name : proto.Output.Count > 0 && proto.Output[0].Length > 0 ? proto.Output[0] : $"#{index}";
        foreach (var a in proto.Attribute)
            _attributes.TryAdd(a.Name, a);
    }

    public NodeProto Proto { get; }
    public string Name { get; }
    public string OpType => Proto.OpType;
    public long Opset { get; }
    public IList<string> Inputs => Proto.Input;
    public IList<string> Outputs => Proto.Output;

    /// <summary>Input <paramref name="i"/>'s name, or null when it is absent or left empty (optional inputs).</summary>
    public string? Input(int i) => i < Proto.Input.Count && Proto.Input[i].Length > 0 ? Proto.Input[i] : null;

    public ModelLoadException Fail(string problem) => new($"{_file}: node '{Name}' ({OpType}): {problem}");

    public bool Has(string name) => _attributes.ContainsKey(name);

    public long Int(string name, long fallback) => Get(name, AttrType.Int) is { } a ? a.I : fallback;

    public float Float(string name, float fallback) => Get(name, AttrType.Float) is { } a ? a.F : fallback;

    public string Str(string name, string fallback) => Get(name, AttrType.String) is { } a ? Encoding.UTF8.GetString(a.S.Span) : fallback;

    public long[]? Ints(string name) => Get(name, AttrType.Ints) is { } a ? a.Ints.ToArray() : null;

    public float[]? Floats(string name) => Get(name, AttrType.Floats) is { } a ? a.Floats.ToArray() : null;

    public TensorProto? Tensor(string name) => Get(name, AttrType.Tensor)?.T;

    /// <summary>The attribute, checking its type tag (an attribute of the wrong type is a malformed model).</summary>
    private AttributeProto? Get(string name, AttrType type)
    {
        if (!_attributes.TryGetValue(name, out var a)) return null;
        // Old exporters leave the type tag unset; trust the field then.
        if (a.Type != AttrType.Undefined && a.Type != type)
            throw Fail($"attribute '{name}' is {a.Type}, expected {type}");
        return a;
    }

    /// <summary>Names every attribute this op does not read, so a model relying on one fails instead of
    /// running with different semantics.</summary>
    public void OnlyAttributes(params string[] known)
    {
        foreach (var name in _attributes.Keys)
            if (Array.IndexOf(known, name) < 0)
                throw Fail($"attribute '{name}' is not supported");
    }
}
