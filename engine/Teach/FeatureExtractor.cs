using GpuMobileNet.Graph;
using GpuMobileNet.Imaging;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Teach;

/// <summary>A model as one batch-1 session that yields, in one GPU run, both its pooled features (the input of its first
/// dense layer, see <see cref="GraphCut.Features"/>, requested as an extra output; the output itself for a model without one) and its own scores: the feature source
/// for teaching new classes and the classifier of the viewer and `gmn classify`. Fed RGBA8 frames through the device
/// preprocessing, or preprocessed tensors. Not thread-safe: one run at a time, and read <see cref="Features"/> and
/// <see cref="Scores"/> before the next.</summary>
public sealed class FeatureExtractor : IDisposable
{
    private readonly InferenceSession _session;
    private readonly IoBinding _frames;
    private readonly IoBinding _tensors;
    private readonly float[] _features;
    private readonly float[] _scores;
    private readonly string _inputName;

    /// <summary>A session of <paramref name="graph"/> (with a dense head) on <paramref name="device"/>, its pooled features
    /// added as an output.</summary>
    public FeatureExtractor(ModelGraph graph, VulkanDevice device, SessionOptions? options = null)
    {
        // A model without a dense head (any file a user drops in) runs whole; its output is also its features.
        var features = graph.Nodes.OfType<Graph.Ops.DenseOp>().Any() ? GraphCut.Features(graph).Name : null;
        _session = InferenceSession.Create(features is null ? graph : graph.WithExtraOutputs(features), device,
            (options ?? new SessionOptions()) with { Batch = 1 });
        _inputName = _session.Graph.Input.Name;
        _scores = new float[_session.OutputLength];
        _features = features is null ? _scores : new float[_session.OutputLengthOf(features)];
        _frames = Bind(_session.CreateIoBinding(), features);
        _tensors = Bind(_session.CreateIoBinding().BindInput(_inputName, new float[_session.InputLength]), features);
    }

    private IoBinding Bind(IoBinding binding, string? features)
    {
        binding.BindOutput(_session.Graph.Output.Name, _scores);
        return features is null ? binding : binding.BindOutput(features, _features);
    }

    /// <summary>The session (its graph as run, with the features output).</summary>
    public InferenceSession Session => _session;

    /// <summary>Features per image (the output's length for a model without a dense layer).</summary>
    public int FeatureCount => _features.Length;

    /// <summary>The pooled features of the last run.</summary>
    public ReadOnlySpan<float> Features => _features;

    /// <summary>The model's own scores (its main output) of the last run.</summary>
    public ReadOnlySpan<float> Scores => _scores;

    /// <summary>One GPU run on an RGBA8 frame of any size (fitted by <paramref name="resize"/> on the host, see
    /// <see cref="FrameFit"/>, then stretched and normalised on the device with <paramref name="normalisation"/>, default
    /// pixel / 255): <see cref="Features"/> and <see cref="Scores"/> filled.</summary>
    public RunResult Run(ReadOnlyMemory<byte> rgba, int width, int height, Rgba8Normalisation? normalisation = null, ResizeMode resize = ResizeMode.Stretch)
    {
        var input = _session.Graph.Input.Shape;
        (rgba, width, height) = FrameFit.Fit(rgba, width, height, 4, input.W, input.H, resize);
        _frames.BindFrame(_inputName, 0, rgba, width, height, HostImageFormat.Rgba8, normalisation);
        return _session.Run(_frames);
    }

    /// <summary>One GPU run on a preprocessed NCHW input: <see cref="Features"/> and <see cref="Scores"/> filled.</summary>
    public RunResult Run(ReadOnlyMemory<float> input)
    {
        _tensors.BindInput(_inputName, input);
        return _session.Run(_tensors);
    }

    /// <summary>The pooled features of <paramref name="image"/> (fitted by <paramref name="resize"/>, resized and normalised to the backbone's input).</summary>
    public float[] Extract(RgbImage image, ResizeMode resize = ResizeMode.Stretch)
    {
        Run(ToRgba(image), image.Width, image.Height, null, resize);
        return _features.ToArray();
    }

    /// <summary>Interleaved RGB → RGBA8 (alpha 255), the layout a frame source takes.</summary>
    public static byte[] ToRgba(RgbImage image)
    {
        var rgba = new byte[image.Width * image.Height * 4];
        var rgb = image.Pixels;
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgba[j] = rgb[i];
            rgba[j + 1] = rgb[i + 1];
            rgba[j + 2] = rgb[i + 2];
            rgba[j + 3] = 255;
        }
        return rgba;
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();
}
