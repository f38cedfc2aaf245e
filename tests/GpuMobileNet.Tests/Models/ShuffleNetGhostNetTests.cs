using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Models;
using GpuMobileNet.Tensors;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Models;

/// <summary>ShuffleNetV1, ShuffleNetV2 and GhostNet: size and cost against the papers, structure, every width.</summary>
public class ShuffleNetGhostNetTests
{
    [Test]
    public void ShuffleNetV2CountsMatchThePaper()
    {
        // Paper / torchvision: 2.28 M parameters, 146 M FLOPs (multiply-adds) at 1.0.
        var stats = GraphStats.Compute(ShuffleNetV2.Create());
        Assert.That(stats.Params, Is.EqualTo(2.28e6).Within(2).Percent);
        Assert.That(stats.MultiplyAdds, Is.EqualTo(146e6).Within(2).Percent);
    }

    [Test]
    public void ShuffleNetV1CountsMatchThePaper()
    {
        // Table 2: ShuffleNet 1x (g = 3) is 140 M FLOPs; the reference code's checkpoint has 1.9 M parameters.
        var stats = GraphStats.Compute(ShuffleNetV1.Create(3, 1.0));
        Assert.That(stats.MultiplyAdds, Is.EqualTo(140e6).Within(5).Percent);
        Assert.That(stats.Params, Is.EqualTo(1.9e6).Within(5).Percent);
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(4)]
    [TestCase(8)]
    public void ShuffleNetV1GroupsKeepTheCostNearlyConstant(int groups)
    {
        // Table 1 widens the stages with the groups so that every 1x variant costs about 140 MFLOPs (the paper: 143, 140,
        // 137, 133 and 137 M for g = 1, 2, 3, 4, 8).
        var stats = GraphStats.Compute(ShuffleNetV1.Create(groups, 1.0));
        Assert.That(stats.MultiplyAdds, Is.EqualTo(140e6).Within(8).Percent);
    }

    [Test]
    public void GhostNetCountsMatchThePaper()
    {
        // Table 7: 5.2 M parameters, 141 M FLOPs.
        var stats = GraphStats.Compute(GhostNet.Create());
        Assert.That(stats.Params, Is.EqualTo(5.2e6).Within(3).Percent);
        Assert.That(stats.MultiplyAdds, Is.EqualTo(141e6).Within(5).Percent);
    }

    [Test]
    public void ShuffleNetV2HasSplitsConcatsAndShuffles()
    {
        var g = ShuffleNetV2.Create();
        // 16 units; the 13 stride-1 ones split their input in two.
        Assert.That(g.Nodes.OfType<ChannelShuffleOp>().Count(), Is.EqualTo(16));
        Assert.That(g.Nodes.OfType<ConcatOp>().Count(), Is.EqualTo(16));
        Assert.That(g.Nodes.OfType<SliceChannelsOp>().Count(), Is.EqualTo(26));
        Assert.That(g.Nodes.OfType<AvgPoolOp>().Single().Input.Shape, Is.EqualTo(new TensorShape(1024, 7, 7)));
    }

    [TestCase(3, 1.0, 240)]
    [TestCase(8, 1.0, 384)]
    [TestCase(3, 0.5, 120)]
    [TestCase(4, 0.5, 144)]   // 136 is not a multiple of 4 x 4: the nearest is 144 (ties up)
    [TestCase(2, 1.5, 304)]
    [TestCase(8, 2.0, 768)]
    public void ShuffleNetV1StageWidthsDivideIntoTheGroups(int groups, double scale, int stage2)
    {
        var g = ShuffleNetV1.Create(groups, scale, 64, 10);
        var convs = g.Nodes.OfType<Conv2dOp>().ToList();
        Assert.That(convs.Single(c => c.Name == "stage2_1_gconv2").OutC, Is.EqualTo(stage2));
        Assert.That(convs.Where(c => c.Name.Contains("gconv", StringComparison.Ordinal) && c.Name != "stage2_0_gconv1").Select(c => c.Groups),
            Is.All.EqualTo(groups));
        Assert.That(g.Nodes.OfType<ChannelShuffleOp>().Count(), Is.EqualTo(groups > 1 ? 16 : 0));
        Assert.That(g.Output.Shape, Is.EqualTo(new TensorShape(10, 1, 1)));
    }

    [TestCase(0.5)]
    [TestCase(1.5)]
    [TestCase(2.0)]
    public void ShuffleNetV2BuildsEveryPaperWidth(double scale)
    {
        var g = ShuffleNetV2.Create(scale, 96, 10);
        Assert.That(g.Nodes.OfType<Conv2dOp>().Last().OutC, Is.EqualTo(ShuffleNetV2.StageChannels[scale][4]));
    }

    [Test]
    public void ShuffleNetV2RefusesOtherWidths() =>
        Assert.That(() => ShuffleNetV2.Create(0.75), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("0.75"));

    [Test]
    public void ShuffleNetV1RefusesOtherGroupCounts() =>
        Assert.That(() => ShuffleNetV1.Create(5), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("groups 5"));

    [Test]
    public void GhostNetHasGhostModulesAndSqueezeExcite()
    {
        var g = GhostNet.Create();
        Assert.That(g.Nodes.OfType<ConcatOp>().Count(), Is.EqualTo(32), "two ghost modules per bottleneck");
        Assert.That(g.Nodes.OfType<MulOp>().Count(), Is.EqualTo(7), "squeeze-and-excite in 7 bottlenecks");
        var cheap = g.Nodes.OfType<Conv2dOp>().Single(c => c.Name == "blocks_9_ghost1_cheap");
        Assert.That((cheap.InC, cheap.OutC, cheap.IsDepthwise), Is.EqualTo((240, 240, true)));
    }

    [TestCase("shufflenet_v1")]
    [TestCase("shufflenet_v1_g8")]
    [TestCase("shufflenet_v2")]
    [TestCase("ghostnet")]
    public void RunsToAHealthySoftmax(string name) =>
        ModelRunChecks.AssertHealthySoftmax(ModelZoo.Create(name, name == "ghostnet" ? 0.5 : 0.5, 64, 1000, WeightInit.Random(7)), 1000);
}
