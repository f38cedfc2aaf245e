using GpuMobileNet.Detection;
using GpuMobileNet.Import;
using GpuMobileNet.Import.Ncnn;

namespace GpuMobileNet.Viewer.Serving;

/// <summary>An ncnn detector in the models folder (a .param whose host layers end in DetectionOutput,
/// Yolov3DetectionOutput or YoloDetectionOutput; its .bin beside it, else seeded weights): the network runs on the
/// device and its host layers per sample after it, as `gmn detect` runs them (<see cref="NcnnDetector"/>), served as
/// decoded detections (<see cref="DetectionHostOutputs"/>) instead of the blobs the host layers read.</summary>
internal static class NcnnDetectorModel
{
    /// <summary>The detector's spec, or null where <paramref name="path"/> is no ncnn detector (another format, or an
    /// ncnn model without detection layers, which is served as the network it is).</summary>
    public static ModelSpec? TryImport(string name, string path)
    {
        if (ModelImporter.FormatOf(path).Name != "ncnn .param") return null;
        var model = ModelImporter.LoadNcnn(path, new ModelImportOptions());
        return NcnnDetector.EndsInDetection(model) ? new ModelSpec(name, model.Graph, null, new NcnnHostOutputs(model)) : null;
    }
}

/// <summary>An ncnn detector's host layers on each sample of a run, their rows as detections, best first.</summary>
internal sealed class NcnnHostOutputs(NcnnModel model) : DetectionHostOutputs(MaxDetections)
{
    /// <summary>Detections served per sample at most (ncnn's examples keep 100: DetectionOutput's keep_top_k).</summary>
    public const int MaxDetections = 100;

    // The host layers read the input only for its size (PriorBox); its pixels stay on the device, so zeros stand in.
    private readonly float[] _input = new float[model.Graph.Input.Shape.Elements];
    private readonly Dictionary<string, int> _outputIndex = model.Graph.Outputs.Select((v, i) => (v.Name, i)).ToDictionary(p => p.Name, p => p.i);

    protected override IReadOnlyList<GpuMobileNet.Detection.Detection> Detect(float[][] network, int sample, int samples)
    {
        var rows = NcnnDetector.RunHostLayers(model, name => SampleOf(network[_outputIndex[name]], sample, samples).ToArray(), _input);
        return DetectionRows.ToDetections(rows.Data).OrderByDescending(d => d.Score).ToList();
    }
}
