using Google.Protobuf;
using GpuMobileNet.Export.Onnx.Proto;
using GpuMobileNet.Graph;
using GpuMobileNet.Ops;

namespace GpuMobileNet.Export.Onnx;

/// <summary>Writes a <see cref="ModelGraph"/> as an ONNX model (opset 13, IR version 7) that other runtimes
/// (ONNX Runtime in our benchmarks) load and that computes what <see cref="Runtime.ReferenceExecutor"/> computes.
/// Works on graphs before or after the passes. The input keeps its name with shape [batch, C, H, W]; the output
/// keeps its name with shape [batch, C] when it is C x 1 x 1 (a classifier), else [batch, C, H, W].
/// Thread-safety: thread-safe (no state of its own; it only reads the graph).</summary>
public static class OnnxExporter
{
    // Opset 13 has every op we need in its current form (Clip/Pad bounds as inputs, single-axis Softmax);
    // IR 7 is the version that goes with opset 13 and that every ONNX Runtime since 1.6 reads.
    private const long OpsetVersion = 13;
    private const long IrVersion = 7;

    /// <summary>Writes the ONNX model for <paramref name="graph"/> with a fixed batch size to <paramref name="path"/>.</summary>
    /// <exception cref="NotSupportedException">An op or activation of the graph has no ONNX mapping; the message names the node.</exception>
    public static void Export(ModelGraph graph, string path, int batch = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // Build the bytes before touching the file so a graph we cannot export leaves no half-written model.
        var bytes = ToBytes(graph, batch);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>The serialized ONNX model for <paramref name="graph"/> with a fixed batch size.</summary>
    /// <exception cref="NotSupportedException">An op or activation of the graph has no ONNX mapping; the message names the node.</exception>
    public static byte[] ToBytes(ModelGraph graph, int batch = 1) => Build(graph, batch).ToByteArray();

    internal static ModelProto Build(ModelGraph graph, int batch)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (batch <= 0)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"graph '{graph.Name}': batch must be positive");

        var proto = new GraphProto { Name = graph.Name };
        var writer = new OnnxGraphWriter(graph, proto);
        foreach (var node in graph.Nodes)
            (OpRegistry.TryFor(node) ?? throw new NotSupportedException($"ONNX export: {node} ({node.GetType().Name}) has no ONNX mapping"))
                .Export(node, writer);
        string output = writer.Tensor(graph.Output, writer.OutputRank);

        var inShape = graph.Input.Shape;
        var outShape = graph.Output.Shape;
        proto.Input.Add(FloatTensorInfo(writer.Tensor(graph.Input, 4), batch, inShape.C, inShape.H, inShape.W));
        foreach (var extra in graph.ExtraInputs)
            proto.Input.Add(FloatTensorInfo(writer.Tensor(extra, 4), batch, extra.Shape.C, extra.Shape.H, extra.Shape.W));
        proto.Output.Add(writer.OutputRank == 2
            ? FloatTensorInfo(output, batch, outShape.C)
            : FloatTensorInfo(output, batch, outShape.C, outShape.H, outShape.W));

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "GpuMobileNet",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = proto,
        };
        // The default ("") domain is the standard ai.onnx operator set.
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        return model;
    }

    private static ValueInfoProto FloatTensorInfo(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long d in dims)
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }
}
