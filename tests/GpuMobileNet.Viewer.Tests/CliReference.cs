using GpuMobileNet.Imaging;
using GpuMobileNet.Import.Tfjs;
using GpuMobileNet.Runtime;

namespace GpuMobileNet.Viewer.Tests;

/// <summary>What `gmn classify` computes for an image: CPU preprocessing (ImagePreprocessor) and the whole nsfwjs graph in
/// one session on the device. The viewer's answers are checked against it.</summary>
public static class CliReference
{
    private static readonly Lazy<InferenceSession> Session = new(() =>
        InferenceSession.Create(TfjsLayersImporter.Load(Path.Combine(ViewerServer.RepoRoot, "models", "cache", "nsfwjs_mobilenet_v2", "model.json")),
            ViewerServer.Instance.State.Catalog.Device));

    public static IReadOnlyList<string> Labels { get; } = Imaging.Labels.LoadLabels(Path.Combine(ViewerServer.RepoRoot, "models", "nsfwjs_labels.txt"));

    public static void Dispose()
    {
        if (Session.IsValueCreated) Session.Value.Dispose();
    }

    public static float[] Nsfwjs(RgbImage image) => Nsfwjs(ImagePreprocessor.ToTensor(image, 224, 224));

    public static float[] Nsfwjs(float[] input)
    {
        lock (Session)
            return Session.Value.Run(input);
    }
}
