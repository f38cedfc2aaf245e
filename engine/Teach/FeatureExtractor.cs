using GpuMobileNet.Graph;
using GpuMobileNet.Imaging;
using GpuMobileNet.Runtime;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Teach;

/// <summary>A model's frozen backbone (everything up to the pooled features, see <see cref="GraphCut.Features"/>) as one
/// session, fed RGBA8 images through the device preprocessing: the feature source for teaching new classes.</summary>
public sealed class FeatureExtractor : IDisposable
{
    private readonly InferenceSession _session;

    /// <summary>A session of <paramref name="graph"/> (a backbone cut at its pooled features) on <paramref name="device"/>.</summary>
    public FeatureExtractor(ModelGraph graph, VulkanDevice device)
    {
        _session = InferenceSession.Create(GraphCut.Before(graph, GraphCut.Features(graph)), device, new SessionOptions { Batch = 1 });
    }

    /// <summary>Features per image.</summary>
    public int FeatureCount => _session.OutputLength;

    /// <summary>The pooled features of <paramref name="image"/> (resized and normalised to the backbone's input).</summary>
    public float[] Extract(RgbImage image)
    {
        var features = new float[FeatureCount];
        _session.RunRgba8(ToRgba(image), image.Width, image.Height, features);
        return features;
    }

    /// <summary>Interleaved RGB → RGBA8 (alpha 255), the layout <see cref="InferenceSession.RunRgba8"/> takes.</summary>
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
