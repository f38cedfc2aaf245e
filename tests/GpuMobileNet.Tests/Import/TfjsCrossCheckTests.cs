using System.Collections.Concurrent;
using GpuMobileNet.Imaging;
using GpuMobileNet.Import.Tfjs;
using GpuMobileNet.Runtime;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import;

/// <summary>The imported nsfwjs model and our preprocessing against TF.js itself running nsfwjs's
/// pipeline on the same decoded photo.</summary>
public class TfjsCrossCheckTests
{
    // Probabilities: float32 through ~50 layers with a different summation order on each side;
    // measured differences are ~1e-6, so 1e-3 has ample margin yet catches any layout mistake
    // (a wrong weight transpose or padding side moves them by 1e-2 or more).
    internal const float ProbabilityTolerance = 1e-3f;
    // Preprocessing: same arithmetic on both sides, only p*(1/255f) vs p/255 rounding differs.
    private const float InputTolerance = 1e-6f;

    private static readonly ConcurrentDictionary<string, (RgbImage Image, TfjsReference.Result Tfjs)> Runs = new();

    internal static (RgbImage Image, TfjsReference.Result Tfjs) RunTfjs(string photo) => Runs.GetOrAdd(photo, p =>
    {
        var image = ImageLoader.Load(TestPaths.Photo(p));
        return (image, TfjsReference.Run(TestPaths.NsfwjsModelJson, image));
    });

    [TestCase("chelsea.png")]
    [TestCase("coffee.png")]
    [TestCase("astronaut.png")]
    public void PreprocessingMatchesNsfwjsInTfjs(string photo)
    {
        var (image, tfjs) = RunTfjs(photo);
        var ours = ImagePreprocessor.ToTensor(image, 224, 224);
        Assert.That(ours, Has.Length.EqualTo(tfjs.Input.Length));
        Assert.That(MaxAbsDiff(ours, tfjs.Input), Is.LessThanOrEqualTo(InputTolerance));
    }

    [TestCase("chelsea.png")]
    [TestCase("coffee.png")]
    [TestCase("astronaut.png")]
    public void ProbabilitiesMatchTfjsWithin1e3(string photo)
    {
        var (image, tfjs) = RunTfjs(photo);
        var graph = TfjsLayersImporter.Load(TestPaths.NsfwjsModelJson);
        var ours = ReferenceExecutor.Run(graph, ImagePreprocessor.ToTensor(image, 224, 224));
        Assert.That(ours, Has.Length.EqualTo(5));
        Assert.That(tfjs.Output, Has.Length.EqualTo(5));
        Assert.That(MaxAbsDiff(ours, tfjs.Output), Is.LessThanOrEqualTo(ProbabilityTolerance),
            () => $"ours [{string.Join(", ", ours)}] vs TF.js [{string.Join(", ", tfjs.Output)}]");
    }

    private static float MaxAbsDiff(float[] a, float[] b) => a.Zip(b, (x, y) => MathF.Abs(x - y)).Max();
}
