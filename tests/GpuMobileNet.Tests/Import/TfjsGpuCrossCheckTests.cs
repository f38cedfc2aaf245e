using GpuMobileNet.Imaging;
using GpuMobileNet.Import.Tfjs;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import;

/// <summary>What `gmn classify` prints: the nsfwjs model on the GPU (passes applied) against TF.js running
/// nsfwjs's own pipeline on the same decoded photo; max abs difference of the 5 probabilities ≤ 1e-3.</summary>
public class TfjsGpuCrossCheckTests : GpuTest
{
    [TestCase("chelsea.png")]
    [TestCase("coffee.png")]
    [TestCase("astronaut.png")]
    [TestCase("rocket.jpg")]
    public void GpuProbabilitiesMatchTfjs(string photo)
    {
        var (image, tfjs) = TfjsCrossCheckTests.RunTfjs(photo);
        var graph = TfjsLayersImporter.Load(TestPaths.NsfwjsModelJson);
        using var session = InferenceSession.Create(graph, Device);
        var ours = session.Run(ImagePreprocessor.ToTensor(image, 224, 224));
        var diff = ours.Zip(tfjs.Output, (a, b) => MathF.Abs(a - b)).Max();
        TestContext.Out.WriteLine($"{photo}: GPU [{string.Join(", ", ours)}] TF.js [{string.Join(", ", tfjs.Output)}] max diff {diff:E2}");
        Assert.That(diff, Is.LessThanOrEqualTo(TfjsCrossCheckTests.ProbabilityTolerance),
            () => $"GPU [{string.Join(", ", ours)}] vs TF.js [{string.Join(", ", tfjs.Output)}]");
    }
}
