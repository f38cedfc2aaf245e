using GpuMobileNet.Graph;
using GpuMobileNet.Imaging;
using GpuMobileNet.Runtime;
using GpuMobileNet.Teach;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Session;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Teach;

/// <summary>One GPU run gives a model's pooled features and its scores (what the viewer and `gmn classify` use), equal to
/// the CPU oracle on the CPU-preprocessed frame; a model without a dense layer gives its output as both.</summary>
public class FeatureExtractorTests : GpuTest
{
    [Test]
    public void OneRunGivesFeaturesAndScoresLikeTheOracle()
    {
        var graph = IoBindingSourceTests.Classifier();
        using var extractor = new FeatureExtractor(graph, Device);
        var pixels = new byte[53 * 41 * 3];
        new Random(12).NextBytes(pixels);
        var frame = new RgbImage(53, 41, pixels);
        var result = extractor.Run(FeatureExtractor.ToRgba(frame), 53, 41);
        var expected = ReferenceExecutor.RunAll(graph, ImagePreprocessor.ToTensor(frame, graph.Input.Shape.W, graph.Input.Shape.H));
        GpuVsCpu.AssertClose(extractor.Scores.ToArray(), expected[graph.Output], 1e-4, 1e-3, "scores");
        GpuVsCpu.AssertClose(extractor.Features.ToArray(), expected[graph.ExtraOutputs.Single(v => v.Name == "features")], 1e-4, 1e-3, "features");
        Assert.That(extractor.FeatureCount, Is.EqualTo(8));
        if (Device.SupportsTimestamps) Assert.That(result.InputGpuMs > 0 && result.NetworkGpuMs > 0, $"GPU stage times {result.InputGpuMs} / {result.NetworkGpuMs} ms");
    }

    [Test]
    public void AModelWithoutADenseLayerGivesItsOutputAsFeatures()
    {
        var b = new GraphBuilder("no_dense", new TensorShape(3, 20, 18), "image");
        var graph = b.Build(b.GlobalAvgPool("pool", b.Conv2d("conv", b.Input, 6, 3, 2, Padding.Symmetric(1), 1, GpuVsCpu.RandomArray(6 * 27, 7, 0.5f))));
        using var extractor = new FeatureExtractor(graph, Device);
        var input = GpuVsCpu.RandomArray(3 * 20 * 18, 8);
        extractor.Run(input);
        GpuVsCpu.AssertClose(extractor.Scores.ToArray(), ReferenceExecutor.Run(graph, input), 1e-4, 1e-3, "scores");
        Assert.That(extractor.Features.ToArray(), Is.EqualTo(extractor.Scores.ToArray()));
        Assert.That(extractor.FeatureCount, Is.EqualTo(6));
    }
}
