using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Export.Onnx.Proto;
using GpuMobileNet.Graph;

namespace GpuMobileNet.Tests.Export;

/// <summary>Reads exported bytes back as ONNX messages, so tests look at what a file holds, not at our objects.</summary>
internal static class OnnxExporterCheck
{
    public static ModelProto Parse(ModelGraph graph, int batch) => ModelProto.Parser.ParseFrom(OnnxExporter.ToBytes(graph, batch));

    public static long[] Dims(ValueInfoProto info) => [.. info.Type.TensorType.Shape.Dim.Select(d => d.DimValue)];
}
