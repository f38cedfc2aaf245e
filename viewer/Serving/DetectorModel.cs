using GpuMobileNet.Detection;
using GpuMobileNet.Import;
using GpuMobileNet.Kernels;

namespace GpuMobileNet.Viewer.Serving;

/// <summary>The objectron SSD-MobileNetV2 of `gmn detect` and the page's detection mode (models/cache/objectron,
/// scripts/setup), served with its decoded detections as outputs (<see cref="SsdHostOutputs"/>). Its input takes
/// values in [-1, 1] (pixel / 127.5 - 1), which its UINT8 image input applies on the device.</summary>
internal static class DetectorModel
{
    public const string Name = "ssd_mobilenet_v2_objectron";

    public static bool IsAvailable(string dataDir) =>
        File.Exists(Path.Combine(dataDir, DetectEndpoint.ModelRelative)) && File.Exists(Path.Combine(dataDir, DetectEndpoint.LabelsRelative));

    public static ModelSpec Import(string dataDir)
    {
        var graph = ModelImporter.Load(Path.Combine(dataDir, DetectEndpoint.ModelRelative));
        var post = new SsdPostprocessor(SsdAnchors.Generate(SsdAnchorOptions.ObjectronSsdMobileNetV2), SsdDecoderOptions.ObjectronSsdMobileNetV2,
            Imaging.Labels.LoadLabels(Path.Combine(dataDir, DetectEndpoint.LabelsRelative)));
        var (boxes, classes) = SsdDetector.FindHeads(graph, post);
        var outputs = graph.Outputs.Select(v => v.Name).ToList();
        return new ModelSpec(Name, graph, null, new SsdHostOutputs(post, outputs.IndexOf(boxes), outputs.IndexOf(classes)),
            new Rgba8Normalisation(1 / 127.5f, [1, 1, 1], [1, 1, 1]));
    }
}
