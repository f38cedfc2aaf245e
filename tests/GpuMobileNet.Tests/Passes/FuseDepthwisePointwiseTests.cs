using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

public class FuseDepthwisePointwiseTests
{
    [Test]
    public void FusesMobileNetV1SeparableBlocksThatFit()
    {
        var before = PassPipeline.Apply(MobileNetV1.Create(0.25, 64, 10, WeightInit.Random(6)),
            new PassOptions(FuseDepthwisePointwise: false, FuseInvertedResidual: false));
        var after = FuseDepthwisePointwise.Apply(before, 16384);
        var blocks = after.Nodes.OfType<FusedBlockOp>().ToList();
        // alpha 0.25: 11 of the 13 blocks fit; the last two (128->256, 256->256) need 32768 and 65536 project floats.
        Assert.That(blocks, Has.Count.EqualTo(11));
        Assert.That(blocks.All(b => b.Expand is null && b.OpType == "FusedDwPw"), Is.True);
        TestData.AssertSameOutput(before, after);
    }

    [Test]
    public void WideBlocksStayUnfused()
    {
        var before = PassPipeline.Apply(MobileNetV1.Create(1.0, 64, 10, WeightInit.Random(6)),
            new PassOptions(FuseDepthwisePointwise: false, FuseInvertedResidual: false));
        var after = FuseDepthwisePointwise.Apply(before, 16384);
        Assert.That(after.Nodes.OfType<FusedBlockOp>().Count(), Is.InRange(1, 12));
        Assert.That(after.Nodes.OfType<FusedBlockOp>().All(b => FusedBlockKernel.ProjectWindowElements(b) <= 16384), Is.True);
    }
}
