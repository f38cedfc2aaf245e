using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Models;
using GpuMobileNet.Tensors;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Models;

public class MobileNetV2Tests
{
    [Test]
    public void ParamCountMatchesKerasTrainableParams()
    {
        // Keras MobileNetV2(alpha=1.0): 3,538,984 total minus 34,112 BatchNorm moving statistics.
        var stats = GraphStats.Compute(MobileNetV2.Create());
        Assert.That(stats.Params, Is.EqualTo(3_504_872));
    }

    [Test]
    public void MultiplyAddsMatchThePaper()
    {
        // The paper reports 300M; the exact count from the layer shapes is 300,774,272.
        var stats = GraphStats.Compute(MobileNetV2.Create());
        Assert.That(stats.MultiplyAdds, Is.EqualTo(300_774_272L));
        Assert.That(stats.MultiplyAdds, Is.EqualTo(300e6).Within(1).Percent);
    }

    [Test]
    public void HasKerasStructureAndNames()
    {
        var g = MobileNetV2.Create();
        var names = g.Nodes.Select(n => n.Name).ToHashSet();
        Assert.That(names, Does.Contain("block_3_expand").And.Contain("block_3_depthwise").And.Contain("block_3_project")
            .And.Contain("block_2_add").And.Contain("expanded_conv_project").And.Contain("Conv_1"));
        Assert.That(names, Does.Not.Contain("expanded_conv_expand"), "the t=1 block has no expand conv");
        // Residual adds: stages of 2, 3, 4, 3, 3 repeats with stride-1 repeats give 1 + 2 + 3 + 2 + 2.
        Assert.That(g.Nodes.OfType<AddOp>().Count(), Is.EqualTo(10));
        Assert.That(g.Nodes.OfType<Conv2dOp>().Count(c => c.IsDepthwise), Is.EqualTo(17));
        var expand = g.Nodes.OfType<Conv2dOp>().Single(c => c.Name == "block_3_expand");
        Assert.That((expand.InC, expand.OutC), Is.EqualTo((24, 144)));
        Assert.That(g.Nodes.OfType<AvgPoolOp>().Single().Input.Shape, Is.EqualTo(new TensorShape(1280, 7, 7)));
    }

    [TestCase(11.2, 16)]   // 32 * 0.35: rounding to 8 would lose more than 10%
    [TestCase(32.0, 32)]
    [TestCase(5.0, 8)]     // never below the divisor
    [TestCase(12.0, 16)]   // halves round up
    [TestCase(1792.0, 1792)]
    [TestCase(100.0, 104)]
    public void MakeDivisibleFollowsTheReferenceRule(double v, int expected) =>
        Assert.That(MobileNetV2.MakeDivisible(v), Is.EqualTo(expected));

    [TestCase(0.35, 96, 16, 1280)]
    [TestCase(0.5, 128, 16, 1280)]
    [TestCase(0.75, 160, 24, 1280)]
    [TestCase(1.0, 192, 32, 1280)]
    [TestCase(1.4, 224, 48, 1792)]
    public void VariantsBuildWithRoundedWidths(double alpha, int resolution, int stemChannels, int lastChannels)
    {
        var g = MobileNetV2.Create(alpha, resolution, 10);
        var convs = g.Nodes.OfType<Conv2dOp>().ToList();
        Assert.That(convs.First().OutC, Is.EqualTo(stemChannels));
        Assert.That(convs.Last().OutC, Is.EqualTo(lastChannels));
        Assert.That(convs.Where(c => c.Name.EndsWith("_project", StringComparison.Ordinal)).Select(c => c.OutC % 8), Is.All.Zero);
        Assert.That(g.Output.Shape, Is.EqualTo(new TensorShape(10, 1, 1)));
    }

    [Test]
    public void RunsToAHealthySoftmax() =>
        ModelRunChecks.AssertHealthySoftmax(MobileNetV2.Create(0.25, 96, 1000, WeightInit.Random(7)), 1000);
}
