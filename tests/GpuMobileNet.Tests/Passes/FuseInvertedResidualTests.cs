using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

public class FuseInvertedResidualTests
{
    private static ModelGraph Prepared(double alpha, int resolution) =>
        PassPipeline.Apply(MobileNetV2.Create(alpha, resolution, 10, WeightInit.Random(5)),
            new PassOptions(FuseDepthwisePointwise: false, FuseInvertedResidual: false));

    [Test]
    public void FusesEveryExpandDepthwiseProjectChainThatFitsAndKeepsTheOutput()
    {
        var before = Prepared(0.35, 64);
        var after = FuseInvertedResidual.Apply(before, 16384);
        var blocks = after.Nodes.OfType<FusedBlockOp>().ToList();
        Assert.That(blocks, Is.Not.Empty);
        Assert.That(blocks.All(b => b.Expand is not null), Is.True);
        Assert.That(after.Nodes, Has.Count.EqualTo(before.Nodes.Count - 2 * blocks.Count));
        Assert.That(blocks.Count(b => b.Project.Residual is not null), Is.GreaterThan(0), "residual blocks fuse too");
        TestData.AssertSameOutput(before, after);
    }

    [Test]
    public void BlocksWhoseWeightsExceedTheWindowStayUnfused()
    {
        var before = Prepared(1.0, 64);
        var small = FuseInvertedResidual.Apply(before, 4096).Nodes.OfType<FusedBlockOp>().ToList();
        var large = FuseInvertedResidual.Apply(before, 16384).Nodes.OfType<FusedBlockOp>().ToList();
        Assert.That(small.All(b => FusedBlockKernel.ProjectWindowElements(b) <= 4096 && FusedBlockKernel.ExpandWindowElements(b) <= 4096), Is.True);
        Assert.That(large, Has.Count.GreaterThan(small.Count));
        Assert.That(large.Select(b => b.Name), Does.Contain("block_1"));
    }

    [Test]
    public void AnExpandedTensorReadTwiceIsNotFused()
    {
        var b = new GraphBuilder("branch", new GpuMobileNet.Tensors.TensorShape(8, 6, 6));
        var e = b.Conv2d("expand", b.Input, 16, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 128), null, Activation.Relu6);
        var d = b.Conv2d("dw", e, 16, 3, 1, Padding.Symmetric(1), 16, TestData.Uniform(2, 144), null, Activation.Relu6);
        var p = b.Conv2d("project", d, 16, 1, 1, Padding.Zero, 1, TestData.Uniform(3, 256));
        var g = b.Build(b.Add("sum", p, e));
        var after = FuseInvertedResidual.Apply(g, 16384);
        Assert.That(after.Nodes.OfType<FusedBlockOp>(), Is.Empty);
    }
}
