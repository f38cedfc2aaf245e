using GpuMobileNet.Export.Onnx.Proto;
using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Import.Onnx;

/// <summary>Walks one GraphProto in order: binds initializers and the input, folds every node whose inputs are all
/// known, maps the rest to graph ops, and builds the graph that computes the chosen output (unused ops pruned).</summary>
internal sealed class OnnxGraphImporter
{
    private readonly GraphProto _graph;
    private readonly string _file;
    private readonly string? _modelDir;
    private readonly long _opset;
    private readonly OnnxImportOptions _options;
    // Every ONNX tensor name maps to a known tensor (OnnxTensor) or a run-time one (ForeignTensor).
    private readonly Dictionary<string, object> _symbols = new(StringComparer.Ordinal);
    // Which node computed each folded constant, to name the op when a constant is all a model outputs.
    private readonly Dictionary<string, OnnxNode> _folded = new(StringComparer.Ordinal);
    private bool _dynamicInput;

    public OnnxGraphImporter(GraphProto graph, string file, string? modelDir, long opset, OnnxImportOptions options)
    {
        _graph = graph;
        _file = file;
        _modelDir = modelDir;
        _opset = opset;
        _options = options;
    }

    public ModelGraph Import()
    {
        foreach (var t in _graph.Initializer)
        {
            if (t.Name.Length == 0) throw Fail("an initializer has no name");
            _symbols[t.Name] = OnnxTensorReader.Read(t, _modelDir, p => Fail($"initializer '{t.Name}': {p}"));
        }
        var runtimeInputs = _graph.Input.Where(i => !_symbols.ContainsKey(i.Name)).ToList();
        if (runtimeInputs.Count == 0) throw Fail("the graph has no run-time input (every input is an initializer)");
        var builder = new GraphBuilder(_graph.Name.Length > 0 ? _graph.Name : Path.GetFileNameWithoutExtension(_file), InputShape(runtimeInputs[0], out int rank), runtimeInputs[0].Name);
        Bind(runtimeInputs[0].Name, builder.Input, rank);
        // The other run-time inputs become the graph's extra inputs, checked the same way.
        foreach (var extra in runtimeInputs.Skip(1))
        {
            if (_symbols.ContainsKey(extra.Name)) throw Fail($"input '{extra.Name}' is declared twice");
            var shape = InputShape(extra, out int extraRank);
            Bind(extra.Name, builder.AddInput(extra.Name, shape), extraRank);
        }
        var mapper = new OnnxOpMapper(builder, Path.GetFileName(_file));

        for (int i = 0; i < _graph.Node.Count; i++)
        {
            var node = new OnnxNode(_graph.Node[i], _file, _opset, i);
            if (node.Proto.Domain is not ("" or "ai.onnx"))
                throw node.Fail($"domain '{node.Proto.Domain}' is not supported (only the standard ONNX ops)");
            if (node.Outputs.Count == 0) throw node.Fail("the node has no outputs");
            var inputs = node.Inputs.Select(name => name.Length == 0 ? null : _symbols.TryGetValue(name, out var s) ? s
                : throw node.Fail($"input '{name}' is not an initializer, a graph input or an earlier node's output")).ToArray();
            var results = Evaluate(node, inputs, mapper);
            for (int k = 0; k < results.Length && k < node.Outputs.Count; k++)
                if (node.Outputs[k].Length > 0)
                {
                    _symbols[node.Outputs[k]] = results[k];
                    if (results[k] is OnnxTensor) _folded[node.Outputs[k]] = node;
                }
        }

        var names = _options.OutputNames ?? _graph.Output.Select(o => o.Name).ToList();
        if (names.Count == 0) throw Fail("the graph declares no output");
        var outputs = new List<Value>();
        foreach (var name in names)
        {
            if (!_symbols.TryGetValue(name, out var output))
                throw Fail($"output '{name}' is not computed by any node");
            if (output is not ForeignTensor result)
                throw Fail($"output '{name}' does not depend on any input: it is a constant" +
                    (_folded.TryGetValue(name, out var by) ? $" computed at load time by node '{by.Name}' ({by.OpType}); run-time {by.OpType} is not supported" : ""));
            CheckDeclaredShape(name, result);
            // Our outputs are named after the ONNX tensors: an alias (Identity) or the input itself gets a copy-free view.
            var v = result.Value.Name == name ? result.Value : mapper.Rename(result.Value, name);
            if (!outputs.Contains(v)) outputs.Add(v);
        }
        return builder.BuildPruned(outputs);
    }

    /// <summary>Binds a run-time input. A rank-3 input [N, A, B] is held as an A x B x 1 value and seen through a view
    /// (element-wise ops only).</summary>
    private void Bind(string name, Value value, int rank) => _symbols[name] = rank switch
    {
        3 => new ForeignTensor(value, [1, value.Shape.C, value.Shape.H], RowMajor: true),
        1 => new ForeignTensor(value, [1], RowMajor: true),
        _ => ForeignTensor.ChannelsFirst(value, rank),
    };

    private object[] Evaluate(OnnxNode node, object?[] inputs, OnnxOpMapper mapper)
    {
        if (node.OpType == "Constant")
            return [ConstantValue(node)];
        // The shape of a run-time tensor is known at load time (batch 1): only its dims are read.
        if (node.OpType == "Shape" && inputs.Length == 1 && inputs[0] is ForeignTensor rt)
            return [OnnxConstantFolder.Fold(node, [OnnxTensor.DimsOnly(rt.Dims)])];
        if (node.OpType == "Size" && inputs.Length == 1 && inputs[0] is ForeignTensor sized)
            return [OnnxTensor.Scalar(sized.Dims.Aggregate(1L, (a, b) => a * b))];
        if (node.OpType == "Split" && inputs.All(x => x is null or OnnxTensor))
            return OnnxConstantFolder.Split(node, inputs.Cast<OnnxTensor?>().ToArray());
        if (inputs.All(x => x is null or OnnxTensor) && OnnxConstantFolder.Ops.Contains(node.OpType))
            return [OnnxConstantFolder.Fold(node, inputs.Cast<OnnxTensor?>().ToArray())];
        if (!OnnxOpMapper.Ops.Contains(node.OpType))
            throw node.Fail($"op {node.OpType} is not supported");
        CheckFinite(node, inputs);
        if (node.OpType == "Split")
            return mapper.Split(node, inputs).Cast<object>().ToArray();
        return [mapper.Map(node, inputs)];
    }

    /// <summary>The constants a run-time op takes become its weights, biases or factors, where a NaN or an infinity turns
    /// every output into NaN: refused here, naming the tensor. Clip's bounds are the exception (an infinite bound is none).</summary>
    private static void CheckFinite(OnnxNode node, object?[] inputs)
    {
        for (int k = 0; k < inputs.Length; k++)
        {
            if (inputs[k] is not OnnxTensor { Floats: { } data } || node.OpType == "Clip" && k > 0) continue;
            int bad = Array.FindIndex(data, v => !float.IsFinite(v));
            if (bad >= 0)
                throw node.Fail($"constant '{node.Inputs[k]}' (input {k}) has a non-finite value " +
                    $"({data[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)}) at index {bad}");
        }
    }

    private OnnxTensor ConstantValue(OnnxNode n)
    {
        if (n.Tensor("value") is { } t) return OnnxTensorReader.Read(t, _modelDir, n.Fail);
        if (n.Has("value_float")) return OnnxTensor.OfFloats([], [n.Float("value_float", 0)]);
        if (n.Floats("value_floats") is { } fs) return OnnxTensor.OfFloats([fs.Length], fs);
        if (n.Has("value_int")) return OnnxTensor.Scalar(n.Int("value_int", 0));
        if (n.Ints("value_ints") is { } ints) return OnnxTensor.Vector(ints);
        throw n.Fail("no supported value attribute (value, value_float(s), value_int(s))");
    }

    /// <summary>A graph input that is not an initializer, as a per-sample shape: [N, C, H, W], [N, C], [N, A, B] or [N].</summary>
    private TensorShape InputShape(ValueInfoProto input, out int rank)
    {
        string name = input.Name;
        if (name.Length == 0) throw Fail("the graph input has no name");
        var type = input.Type?.TensorType ?? throw Fail($"input '{name}' is not a tensor");
        if (type.ElemType != (int)TensorProto.Types.DataType.Float)
            throw Fail($"input '{name}' is {OnnxTensorReader.TypeName(type.ElemType)}; only FLOAT inputs are supported");
        var dims = type.Shape?.Dim ?? throw Fail($"input '{name}' has no shape");
        rank = dims.Count;
        if (rank is not (1 or 2 or 3 or 4))
            throw Fail($"input '{name}' has rank {rank}; only [N, C, H, W], [N, C] and (element-wise only) [N, A, B] and [N] are supported");
        var batch = dims[0];
        if (batch.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && batch.DimValue > 1)
            throw Fail($"input '{name}' has a fixed batch of {batch.DimValue}; only batch 1 or a symbolic batch is supported (the session sets the batch)");
        int Dim(int i, int? given, string what)
        {
            var d = dims[i];
            bool known = d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0;
            _dynamicInput |= !known;
            if (known && given is { } g && g != d.DimValue)
                throw Fail($"input '{name}': {what} is {d.DimValue} in the file, {g} was asked for");
            long v = known ? d.DimValue : given ?? throw Fail(
                $"input '{name}': {what} is dynamic ('{d.DimParam}'); give it with the importer options (--input-size)");
            if (v <= 0 || v > OnnxLimits.MaxActivationDim)
                throw Fail($"input '{name}': {what} {v} is outside 1..{OnnxLimits.MaxActivationDim}");
            return (int)v;
        }
        var shape = rank switch
        {
            4 => new TensorShape(Dim(1, null, "channels"), Dim(2, _options.InputHeight, "height"), Dim(3, _options.InputWidth, "width")),
            3 => new TensorShape(Dim(1, null, "dimension 1"), Dim(2, null, "dimension 2"), 1),
            1 => new TensorShape(1, 1, 1),
            _ => new TensorShape(Dim(1, null, "features"), 1, 1),
        };
        if ((long)shape.C * shape.H * shape.W > OnnxLimits.MaxActivationElements)
            throw Fail($"input '{name}' {shape} is larger than {OnnxLimits.MaxActivationElements} elements");
        return shape;
    }

    /// <summary>A graph output whose declared shape (all dims known, batch aside) disagrees with what the nodes compute
    /// is an inconsistent model: refused rather than run with a shape the caller does not expect.</summary>
    private void CheckDeclaredShape(string name, ForeignTensor result)
    {
        // With a dynamic input size the declared output dims belong to whatever size the exporter saw.
        if (_dynamicInput) return;
        var declared = _graph.Output.FirstOrDefault(o => o.Name == name)?.Type?.TensorType?.Shape?.Dim;
        if (declared is null || declared.Count == 0 || declared.Skip(1).Any(d => d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue))
            return;
        var want = declared.Skip(1).Select(d => d.DimValue).ToArray();
        var have = result.Dims.Skip(1).ToArray();
        bool same = want.Length == have.Length ? want.SequenceEqual(have) : want.Aggregate(1L, (a, b) => a * b) == have.Aggregate(1L, (a, b) => a * b);
        if (!same)
            throw Fail($"output '{name}' is declared [N, {string.Join(", ", want)}] but the nodes compute [N, {string.Join(", ", have)}]");
    }

    private ModelLoadException Fail(string problem) => new($"{_file}: {problem}");
}
