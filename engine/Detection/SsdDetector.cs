using System.Diagnostics;
using GpuMobileNet.Graph;
using GpuMobileNet.Imaging;
using GpuMobileNet.Import;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Teach;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Detection;

/// <summary>What one <see cref="SsdDetector.Detect(RgbImage, float?)"/> found, with the time of each stage.
/// Thread-safety: immutable; safe to share between threads.</summary>
/// <param name="Detections">Best first, after NMS.</param>
/// <param name="PreprocessMs">Resize and normalise: the device's preprocessing dispatch (where the device has timestamps),
/// plus repacking RGB to RGBA on the host for an <see cref="RgbImage"/>.</param>
/// <param name="NetworkMs">The session's run less its preprocessing (backbone and heads, upload and read-back included).</param>
/// <param name="DecodeMs">Host box decoding and score threshold.</param>
/// <param name="NmsMs">Host non-maximum suppression.</param>
public sealed record DetectionResult(IReadOnlyList<Detection> Detections, double PreprocessMs, double NetworkMs, double DecodeMs, double NmsMs)
{
    /// <summary>Of the network's time: host milliseconds writing the frame before the submission (0 where not measured).</summary>
    public double UploadMs { get; init; }

    /// <summary>Of the network's time: host milliseconds from the submission to the device's completion (0 where not measured).</summary>
    public double DeviceMs { get; init; }

    /// <summary>Of the network's time: host milliseconds copying the outputs out after completion (0 where not measured).</summary>
    public double ReadbackMs { get; init; }
}

/// <summary>An SSD detector: a graph with a box-encodings output [anchors, 4] and a class-predictions output
/// [anchors, classes] (an imported .tflite or a built-in graph), its session, and the host post-processing.
/// The input is the photo stretched to the model's size, values in [-1, 1] (the TF Object Detection API's
/// MobileNet preprocessing, what MediaPipe's objectron graph feeds its SSD).
/// Thread-safety: thread-safe: detections run one at a time (one detector per thread runs them in parallel).</summary>
public sealed class SsdDetector : IDisposable
{
    /// <summary>pixel / 127.5 - 1, the TF Object Detection API's MobileNet preprocessing.</summary>
    private static readonly Rgba8Normalisation MinusOneToOne = new(1 / 127.5f, [1, 1, 1], [1, 1, 1]);

    private readonly string _boxesName, _classesName;
    private readonly Lock _frameLock = new();
    private readonly IoBinding _frames;
    private readonly float[] _boxes, _classes;

    /// <param name="graph">The network; its outputs must include the two SSD heads (found by name, else by shape).</param>
    /// <param name="device">Where it runs.</param>
    /// <param name="postprocessor">Anchors, decoding and NMS for this network.</param>
    /// <param name="options">Session options (precision, profiling, ...).</param>
    /// <exception cref="ArgumentException">The graph lacks an output of the anchors' count by 4 or by the class count.</exception>
    internal SsdDetector(ModelGraph graph, VulkanDevice device, SsdPostprocessor postprocessor, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(postprocessor);
        Postprocessor = postprocessor;
        (_boxesName, _classesName) = FindHeads(graph, postprocessor);
        Session = InferenceSession.Create(graph, device, options);
        _boxes = new float[Session.OutputLengthOf(_boxesName)];
        _classes = new float[Session.OutputLengthOf(_classesName)];
        _frames = Session.CreateIoBinding().BindOutput(_boxesName, _boxes).BindOutput(_classesName, _classes);
    }

    /// <summary>Loads an SSD model file (any format <see cref="ModelImporter"/> reads; the objectron one is TFLite) with the
    /// objectron SSD-MobileNetV2's anchors and decoding unless others are given.</summary>
    /// <exception cref="ModelLoadException">The model cannot be imported or its outputs do not fit the anchors.</exception>
    public static SsdDetector Load(string tflitePath, VulkanDevice device, IReadOnlyList<string>? labels = null, SessionOptions? options = null,
        SsdAnchorOptions? anchors = null, SsdDecoderOptions? decoder = null)
    {
        var graph = ModelImporter.Load(tflitePath);
        var post = new SsdPostprocessor(SsdAnchors.Generate(anchors ?? SsdAnchorOptions.ObjectronSsdMobileNetV2),
            decoder ?? SsdDecoderOptions.ObjectronSsdMobileNetV2, labels);
        try
        {
            return new SsdDetector(graph, device, post, options);
        }
        catch (ArgumentException e)
        {
            throw new ModelLoadException($"{tflitePath}: {e.Message}", e);
        }
    }

    /// <summary>The network's session.</summary>
    public InferenceSession Session { get; }

    /// <summary>What a detection records before the network: the frame's resize and normalisation (empty before the first).</summary>
    internal IReadOnlyList<KernelDispatch> PreprocessDispatches => _frames.Plan?.Preprocessing ?? [];

    /// <summary>Anchors, decoding and NMS.</summary>
    internal SsdPostprocessor Postprocessor { get; }

    /// <summary>Input width and height in pixels.</summary>
    public (int Width, int Height) InputSize => (Session.InputShape.W, Session.InputShape.H);

    /// <summary>The photo stretched to the input size as NCHW values in [-1, 1].</summary>
    public float[] Preprocess(RgbImage image) =>
        ImagePreprocessor.ToTensor(image, InputSize.Width, InputSize.Height, 1 / 127.5f, [1, 1, 1], [1, 1, 1]);

    /// <summary>The raw box encodings and class predictions for a preprocessed input.</summary>
    public (float[] Boxes, float[] Classes) RunRaw(float[] input)
    {
        var outputs = Session.Run(new Dictionary<string, float[]> { [Session.Graph.Input.Name] = input });
        return (outputs[_boxesName], outputs[_classesName]);
    }

    /// <summary>Detects objects in <paramref name="image"/>; boxes are normalised to the image (0..1).</summary>
    public DetectionResult Detect(RgbImage image, float? minScore = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        long t0 = Stopwatch.GetTimestamp();
        var rgba = FeatureExtractor.ToRgba(image);
        return Detect(rgba, image.Width, image.Height, minScore, Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
    }

    /// <summary>Detects objects in an RGBA8 frame of any size (rows top to bottom, 4 bytes a pixel, alpha ignored),
    /// stretched to the input and normalised on the device; boxes are normalised to the frame (0..1).</summary>
    /// <exception cref="ArgumentException">The frame's size does not match its bytes, or is out of range.</exception>
    public DetectionResult Detect(ReadOnlyMemory<byte> rgba, int width, int height, float? minScore = null) =>
        Detect(rgba, width, height, minScore, 0);

    private DetectionResult Detect(ReadOnlyMemory<byte> rgba, int width, int height, float? minScore, double hostPreprocessMs)
    {
        lock (_frameLock)
        {
            _frames.BindFrame(Session.Graph.Input.Name, 0, rgba, width, height, HostImageFormat.Rgba8, MinusOneToOne);
            long t0 = Stopwatch.GetTimestamp();
            var run = Session.Run(_frames);
            double runMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            var (detections, decode, nms) = Postprocessor.ProcessTimed(_boxes, _classes, minScore);
            return new DetectionResult(detections, hostPreprocessMs + run.InputGpuMs, runMs - run.InputGpuMs,
                decode.TotalMilliseconds, nms.TotalMilliseconds) { UploadMs = run.WriteMs, DeviceMs = run.DeviceMs, ReadbackMs = run.ReadMs };
        }
    }

    /// <summary>Frees the session.</summary>
    public void Dispose()
    {
        _frames.Dispose();
        Session.Dispose();
    }

    /// <summary>The graph's two SSD heads for <paramref name="post"/>'s anchors: [anchors, 4] boxes and [anchors, classes]
    /// scores, found by name, else by shape.</summary>
    internal static (string Boxes, string Classes) FindHeads(ModelGraph graph, SsdPostprocessor post)
    {
        string boxes = FindOutput(graph, "box", post.AnchorCount, 4, null);
        return (boxes, FindOutput(graph, "class", post.AnchorCount, post.Options.NumClasses, boxes));
    }

    private static string FindOutput(ModelGraph graph, string hint, int anchors, int width, string? exclude)
    {
        var fits = graph.Outputs.Where(v => v.Name != exclude && v.Shape.C == anchors && v.Shape.H == width && v.Shape.W == 1).ToList();
        var named = fits.FirstOrDefault(v => v.Name.Contains(hint, StringComparison.OrdinalIgnoreCase));
        return (named ?? fits.FirstOrDefault())?.Name ?? throw new ArgumentException(
            $"no output of {anchors} x {width} ({hint}) among {string.Join(", ", graph.Outputs.Select(v => $"'{v.Name}' {v.Shape}"))}");
    }
}
