using System.Diagnostics;
using GpuMobileNet.Detection.Host;
using GpuMobileNet.Imaging;
using GpuMobileNet.Import;
using GpuMobileNet.Import.Ncnn;
using GpuMobileNet.Runtime;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Detection;

/// <summary>An imported ncnn detector (YOLO or SSD heads): the network runs on the device with every blob its host layers
/// read as an output, then the host layers run in order on one sample, and the last one's rows (label, score, box in
/// normalised coordinates) become detections. Images are stretched to the input size and scaled to [0, 1].
/// Not thread-safe: one detection at a time.</summary>
internal sealed class NcnnDetector : IDisposable
{
    private readonly NcnnModel _model;
    private readonly InferenceSession _session;
    private readonly IReadOnlyList<string>? _labels;

    private NcnnDetector(NcnnModel model, InferenceSession session, IReadOnlyList<string>? labels)
    {
        _model = model;
        _session = session;
        _labels = labels;
    }

    /// <summary>Loads <paramref name="param"/> (weights as <see cref="ModelImportOptions.Weights"/> says) for <paramref name="device"/>.</summary>
    /// <exception cref="ModelLoadException">The model is malformed, unsupported, or has no host layer that outputs detections.</exception>
    public static NcnnDetector Load(string param, ModelImportOptions options, VulkanDevice device, IReadOnlyList<string>? labels)
    {
        var model = ModelImporter.LoadNcnn(param, options);
        if (!EndsInDetection(model))
            throw new ModelLoadException($"{param}: no detection layer (DetectionOutput, Yolov3DetectionOutput, YoloDetectionOutput) ends this model");
        return new NcnnDetector(model, InferenceSession.Create(model.Graph, device, new SessionOptions { Batch = 1 }), labels);
    }

    /// <summary>The network's input width and height: photos are stretched to it.</summary>
    public (int Width, int Height) InputSize => (_model.Graph.Input.Shape.W, _model.Graph.Input.Shape.H);

    /// <summary>Detections scoring at least <paramref name="minScore"/>, with the time of each stage (the host layers'
    /// time is reported as decoding; their NMS is inside it).</summary>
    public DetectionResult Detect(RgbImage photo, float minScore)
    {
        var clock = Stopwatch.StartNew();
        var input = _model.Graph.Input;
        var tensor = ImagePreprocessor.ToTensor(photo, input.Shape.W, input.Shape.H);
        double preprocess = clock.Elapsed.TotalMilliseconds;
        var outputs = _session.Run(new Dictionary<string, float[]> { [input.Name] = tensor });
        double network = clock.Elapsed.TotalMilliseconds - preprocess;
        var rows = RunHostLayers(_model, name => outputs[name], tensor);
        double host = clock.Elapsed.TotalMilliseconds - preprocess - network;
        var detections = DetectionRows.ToDetections(rows.Data, _labels).Where(d => d.Score >= minScore).ToList();
        return new DetectionResult(detections, preprocess, network, host, 0);
    }

    /// <summary>Whether the model's host layers end in a detection layer, whose rows are detections.</summary>
    public static bool EndsInDetection(NcnnModel model) => model.HostSteps.Count > 0 && model.HostSteps[^1].Layer.Type is not "PriorBox";

    /// <summary>One sample's host layers, in order, on the network's outputs (<paramref name="output"/> gives each by
    /// name) and its input <paramref name="input"/>: the last layer's result (detection rows, see <see cref="DetectionRows"/>).</summary>
    public static HostTensor RunHostLayers(NcnnModel model, Func<string, float[]> output, float[] input)
    {
        var blobs = new Dictionary<string, HostTensor>(StringComparer.Ordinal);
        foreach (var v in model.Graph.Outputs)
            blobs[v.Name] = new HostTensor(v.Shape.C, v.Shape.H, v.Shape.W, output(v.Name));
        var shape = model.Graph.Input.Shape;
        foreach (var name in model.HostInputBlobs)
            blobs[name] = new HostTensor(shape.C, shape.H, shape.W, input);
        HostTensor last = blobs.Values.First();
        foreach (var step in model.HostSteps)
        {
            last = step.Layer.Run(step.Bottoms.Select(b => blobs.TryGetValue(b, out var t) ? t
                : throw new InvalidOperationException($"host layer {step.Layer.Type} reads '{b}', which neither the network nor an earlier host layer computes")).ToList());
            foreach (var top in step.Tops) blobs[top] = last;
        }
        return last;
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();
}
