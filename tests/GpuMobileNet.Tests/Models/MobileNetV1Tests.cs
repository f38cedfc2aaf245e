using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Models;
using GpuMobileNet.Tensors;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Models;

public class MobileNetV1Tests
{
    [Test]
    public void ParamCountMatchesKerasTrainableParams()
    {
        // Keras MobileNet(alpha=1.0): 4,253,864 total minus 21,888 BatchNorm moving statistics.
        var stats = GraphStats.Compute(MobileNetV1.Create());
        Assert.That(stats.Params, Is.EqualTo(4_231_976));
    }

    [Test]
    public void MultiplyAddsMatchThePaper()
    {
        // The paper reports 569M; the exact count from the layer shapes is 568,740,352.
        var stats = GraphStats.Compute(MobileNetV1.Create());
        Assert.That(stats.MultiplyAdds, Is.EqualTo(568_740_352L));
        Assert.That(stats.MultiplyAdds, Is.EqualTo(569e6).Within(1).Percent);
    }

    [Test]
    public void HasThirteenSeparableBlocks()
    {
        var g = MobileNetV1.Create(0.5, 128);
        var convs = g.Nodes.OfType<Conv2dOp>().ToList();
        Assert.That(convs.Count(c => c.IsDepthwise), Is.EqualTo(13));
        Assert.That(convs.Count(c => c.IsPointwise), Is.EqualTo(13));
        Assert.That(convs.Select(c => c.Bias), Is.All.Null, "convs feed a BatchNorm: no bias");
        Assert.That(convs.Single(c => c.Name == "conv_pw_13").OutC, Is.EqualTo(512));
        Assert.That(g.Nodes.OfType<AvgPoolOp>().Single().Input.Shape, Is.EqualTo(new TensorShape(512, 4, 4)));
    }

    [TestCase(0.25, 128)]
    [TestCase(0.5, 160)]
    [TestCase(0.75, 192)]
    [TestCase(1.0, 224)]
    [TestCase(0.3, 33)]
    public void VariantsBuildWithScaledWidths(double alpha, int resolution)
    {
        var g = MobileNetV1.Create(alpha, resolution, 17);
        Assert.That(g.Input.Shape, Is.EqualTo(new TensorShape(3, resolution, resolution)));
        Assert.That(g.Output.Shape, Is.EqualTo(new TensorShape(17, 1, 1)));
        var stem = g.Nodes.OfType<Conv2dOp>().First();
        Assert.That(stem.OutC, Is.EqualTo((int)(32 * alpha)));
        Assert.That(stem.Output.Shape.H, Is.EqualTo((resolution + 1) / 2), "TF 'same' padding: ceil(in / 2)");
    }

    [Test]
    public void RejectsBadArguments()
    {
        Assert.That(() => MobileNetV1.Create(0), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => MobileNetV1.Create(1.0, 31), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => MobileNetV1.Create(1.0, 224, 0), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void RunsToAHealthySoftmax() =>
        ModelRunChecks.AssertHealthySoftmax(MobileNetV1.Create(0.25, 96, 1000, WeightInit.Random(7)), 1000);
}
