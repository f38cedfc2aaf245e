using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Models;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Models;

/// <summary>SSDLite on MobileNetV2 against the paper (Sandler et al. 2018, Table 6: 4.3 M parameters, 0.8 B
/// multiply-adds at 320x320 with COCO's classes) and on the GPU against the CPU oracle, both outputs, on seeded random
/// weights at odd sizes.</summary>
public class SsdLiteTests : GpuTest
{
    [Test]
    public void SizeAndCostAre_TheMobileNetV2PapersWithin10Percent()
    {
        var stats = GraphStats.Compute(SsdLite.Create());
        TestContext.Out.WriteLine($"SSDLite 1.0/320: {stats.Params:N0} params, {stats.MultiplyAdds:N0} multiply-adds");
        Assert.That(stats.Params, Is.InRange(4.3e6 * 0.9, 4.3e6 * 1.1));
        Assert.That(stats.MultiplyAdds, Is.InRange(0.8e9 * 0.9, 0.8e9 * 1.1));
    }

    [TestCase(320, 2034)]
    [TestCase(300, 1917)]
    [TestCase(97, 3 * 7 * 7 + 6 * (4 * 4 + 2 * 2 + 1 + 1 + 1))]
    public void OutputsOneRowPerAnchor(int resolution, int anchors)
    {
        var g = SsdLite.Create(0.35, resolution, 5, WeightInit.Random(1));
        Assert.That(SsdLite.AnchorCount(resolution), Is.EqualTo(anchors));
        Assert.That(g.Output.Name, Is.EqualTo("box_encodings"));
        Assert.That(g.Output.Shape, Is.EqualTo(new Tensors.TensorShape(anchors, 4, 1)));
        Assert.That(g.ExtraOutputs.Single().Name, Is.EqualTo("class_predictions"));
        Assert.That(g.ExtraOutputs.Single().Shape, Is.EqualTo(new Tensors.TensorShape(anchors, 5, 1)));
    }

    [Test]
    public void ThePredictionLayersSitOnTheStride16ExpansionAndTheLastLayer()
    {
        var g = SsdLite.Create(1.0, 320, 91, WeightInit.Random(1));
        var heads = g.Nodes.OfType<Conv2dOp>().Where(c => c.Name.EndsWith("_box_depthwise", StringComparison.Ordinal)).ToList();
        Assert.That(heads.Select(h => (h.Input.Shape.C, h.Input.Shape.H)), Is.EqualTo(new[] { (576, 20), (1280, 10), (512, 5), (256, 3), (256, 2), (128, 1) }));
        Assert.That(heads.All(h => h.IsDepthwise), Is.True, "every prediction layer is depthwise separable");
    }

    [TestCase(0.35, 97, 1)]
    [TestCase(0.5, 128, 2)]
    public void BothOutputsMatchTheOracle(double alpha, int resolution, int batch)
    {
        var g = SsdLite.Create(alpha, resolution, 7, WeightInit.Random(11));
        var input = GpuVsCpu.RandomArray(batch * g.Input.Shape.Elements, 3);
        using var session = InferenceSession.Create(g, Device, new SessionOptions { Batch = batch });
        var gpu = session.Run(new Dictionary<string, float[]> { [g.Input.Name] = input });
        var cpu = ReferenceExecutor.RunAll(g, input, batch);
        foreach (var output in g.Outputs)
            GpuVsCpu.AssertClose(gpu[output.Name], cpu[output], 1e-4, 1e-3, $"{g.Name} batch {batch} {output.Name}");
    }
}
