using Google.Protobuf;
using GpuMobileNet.Export.Onnx.Proto;
using GpuMobileNet.Graph;
using GpuMobileNet.IO;

namespace GpuMobileNet.Import.Onnx;

/// <summary>Imports an ONNX model (opsets 7 to 21) into a <see cref="ModelGraph"/>: the ops our kernels run are
/// mapped, the shape arithmetic around them is evaluated at load time, and anything else fails with a
/// <see cref="ModelLoadException"/> naming the file, the node and its op. Reads the same onnx.proto the exporter writes.</summary>
internal static class OnnxImporter
{
    /// <summary>Oldest default-domain opset accepted.</summary>
    public const long MinOpset = 7;
    /// <summary>Newest default-domain opset accepted.</summary>
    public const long MaxOpset = 21;
    /// <summary>Oldest ONNX IR version accepted.</summary>
    public const long MinIrVersion = 3;
    /// <summary>Newest ONNX IR version accepted.</summary>
    public const long MaxIrVersion = 10;

    /// <summary>Loads <paramref name="path"/>; external data files are read from its folder only.</summary>
    /// <exception cref="ModelLoadException">The file is missing, not ONNX, corrupt, or uses what is not supported.</exception>
    public static ModelGraph Load(string path, OnnxImportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = ReadFile(path);
        return Import(bytes, path, Path.GetDirectoryName(Path.GetFullPath(path)), options);
    }

    /// <summary>Loads a model from memory; <paramref name="name"/> names it in messages. External data is refused.</summary>
    public static ModelGraph Load(byte[] bytes, string name, OnnxImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Import(bytes, name, null, options);
    }

    /// <summary>The op types of the model's nodes with their counts (for inspection; nothing is imported).</summary>
    public static IReadOnlyDictionary<string, int> OpCounts(string path)
    {
        var model = Parse(ReadFile(path), path);
        return model.Graph.Node.GroupBy(n => n.OpType).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
    }

    /// <summary>The graph's declared inputs (initializers aside) and outputs, each dim as its number, its symbolic
    /// name or "?": what a model with a dynamic input size states before any size is chosen (nothing is imported).</summary>
    public static (IReadOnlyList<OnnxDeclaredValue> Inputs, IReadOnlyList<OnnxDeclaredValue> Outputs) Signature(string path)
    {
        var graph = Parse(ReadFile(path), path).Graph;
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        return (graph.Input.Where(v => !initializers.Contains(v.Name)).Select(Declared).ToList(), graph.Output.Select(Declared).ToList());
    }

    private static OnnxDeclaredValue Declared(ValueInfoProto value) =>
        new(value.Name, value.Type?.TensorType?.Shape?.Dim.Select(d =>
            d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0 ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : d.DimParam is { Length: > 0 } symbol ? symbol : "?").ToList() ?? []);

    private static byte[] ReadFile(string path) =>
        SafeFile.ReadAllBytes(path, OnnxLimits.MaxFileBytes, "ONNX model", m => new ModelLoadException(m));

    private static ModelGraph Import(byte[] bytes, string file, string? modelDir, OnnxImportOptions? options)
    {
        var model = Parse(bytes, file);
        CheckOpsAreKnown(model, file);
        if (model.IrVersion < MinIrVersion || model.IrVersion > MaxIrVersion)
            throw new ModelLoadException($"{file}: IR version {model.IrVersion} is not supported ({MinIrVersion} to {MaxIrVersion})");
        long opset = -1;
        foreach (var o in model.OpsetImport)
            if (o.Domain is "" or "ai.onnx") opset = o.Version;
        if (opset < 0)
            throw new ModelLoadException($"{file}: no opset for the standard ONNX domain is imported");
        if (opset < MinOpset || opset > MaxOpset)
            throw new ModelLoadException($"{file}: opset {opset} is not supported ({MinOpset} to {MaxOpset})");
        if (model.Graph is null)
            throw new ModelLoadException($"{file}: the model has no graph");
        try
        {
            return new OnnxGraphImporter(model.Graph, file, modelDir, opset, options ?? new OnnxImportOptions()).Import();
        }
        catch (InvalidGraphException e)
        {
            throw new ModelLoadException($"{file}: {e.Message}", e);
        }
        catch (OverflowException e)
        {
            throw new ModelLoadException($"{file}: a size in the model overflows: {e.Message}", e);
        }
    }

    /// <summary>Names every node whose op we cannot run at all, before anything about the model's versions or inputs:
    /// the unsupported ops are the most useful thing to tell a user, all of them at once.</summary>
    private static void CheckOpsAreKnown(ModelProto model, string file)
    {
        if (model.Graph is null) return;
        // Tensors computed at run time: the inputs that are not initializers, and what nodes compute from them
        // (except a shape, which is known at load time).
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var runtime = model.Graph.Input.Select(i => i.Name).Where(n => !initializers.Contains(n)).ToHashSet(StringComparer.Ordinal);
        if (runtime.Count == 0 && model.Graph.Node.Count > 0)
            throw new OnnxNode(model.Graph.Node[0], file, 0, 0).Fail($"the graph has no run-time input, so op {model.Graph.Node[0].OpType} only computes a constant");
        var unsupported = new List<(OnnxNode Node, string Problem)>();
        for (int i = 0; i < model.Graph.Node.Count; i++)
        {
            var proto = model.Graph.Node[i];
            if (Unsupported(proto, runtime) is { } problem) unsupported.Add((new OnnxNode(proto, file, 0, i), problem));
            if (proto.OpType is not ("Shape" or "Size") && proto.Input.Any(runtime.Contains))
                foreach (var o in proto.Output) runtime.Add(o);
        }
        if (unsupported.Count == 1) throw unsupported[0].Node.Fail(unsupported[0].Problem);
        if (unsupported.Count > 1)
            throw new ModelLoadException($"{file}: {unsupported.Count} nodes are not supported: " +
                string.Join("; ", unsupported.Select(u => $"node '{u.Node.Name}' ({u.Node.OpType}): {u.Problem}")));
    }

    /// <summary>Why this engine cannot run <paramref name="proto"/> whatever its attributes, or null.</summary>
    private static string? Unsupported(NodeProto proto, HashSet<string> runtime)
    {
        if (proto.Domain is not ("" or "ai.onnx"))
            return $"domain '{proto.Domain}' is not supported (only the standard ONNX ops)";
        bool mapped = OnnxOpMapper.Ops.Contains(proto.OpType);
        if (!mapped && !OnnxConstantFolder.Ops.Contains(proto.OpType))
            return $"op {proto.OpType} is not supported";
        if (!mapped && proto.OpType is not ("Shape" or "Size") && proto.Input.Any(runtime.Contains))
            return $"op {proto.OpType} is not supported on run-time tensors (only evaluated at load time, on constants)";
        return null;
    }

    private static ModelProto Parse(byte[] bytes, string file)
    {
        if (bytes.Length == 0)
            throw new ModelLoadException($"{file}: the file is empty");
        try
        {
            return ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelLoadException($"{file}: not an ONNX model (protobuf: {e.Message.Split('\n')[0]})", e);
        }
    }
}

/// <summary>A graph input or output as the ONNX file declares it: dims as numbers, symbolic names or "?".</summary>
internal sealed record OnnxDeclaredValue(string Name, IReadOnlyList<string> Dims)
{
    /// <summary>A dim other than the batch (the first) is not a number: the importer needs a size for it.</summary>
    public bool IsDynamic => Dims.Skip(1).Any(d => !IsNumber(d));

    /// <summary>The per-sample dims (the batch left out) as the engine writes shapes, a dynamic one as "?": "3x?x?".</summary>
    public string SampleShape => string.Join('x', Dims.Skip(1).Select(d => IsNumber(d) ? d : "?"));

    /// <summary>The symbolic names of the dynamic per-sample dims, in order (an unnamed one is left out).</summary>
    public IReadOnlyList<string> Symbols => Dims.Skip(1).Where(d => !IsNumber(d) && d != "?").ToList();

    public override string ToString() => $"{Name} {SampleShape}" + (Symbols.Count > 0 ? $" ({string.Join(", ", Symbols)})" : "");

    private static bool IsNumber(string dim) => dim.All(char.IsAsciiDigit);
}
