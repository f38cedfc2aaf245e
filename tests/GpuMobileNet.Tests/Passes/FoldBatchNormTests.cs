using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Passes;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

public class FoldBatchNormTests
{
    private static Value Bn(GraphBuilder b, string name, Value x, int seed) =>
        b.BatchNorm(name, x, TestData.Uniform(seed, x.Shape.C, 0.5, 1.5), TestData.Uniform(seed + 1, x.Shape.C),
            TestData.Uniform(seed + 2, x.Shape.C), TestData.Uniform(seed + 3, x.Shape.C, 0.5, 2), 1e-3f);

    [TestCase(false, 1)]
    [TestCase(true, 1)]
    [TestCase(false, 4)]
    public void FoldsConvBatchNormAndKeepsOutput(bool withBias, int groups)
    {
        var b = new GraphBuilder("fold_bn", new TensorShape(4, 7, 6));
        var c = b.Conv2d("conv", b.Input, 8, 3, 2, Padding.Same(7, 6, 3, 3, 2, 2), groups,
            TestData.Uniform(1, 8 * (4 / groups) * 9), withBias ? TestData.Uniform(2, 8) : null);
        var y = Bn(b, "bn", c, 10);
        var r = b.Activate("relu", y, Activation.Relu);
        var before = b.Build(r);

        var after = FoldBatchNorm.Apply(before);

        Assert.That(TestData.Count<BatchNormOp>(after), Is.Zero);
        Assert.That(TestData.Count<Conv2dOp>(after), Is.EqualTo(1));
        Assert.That(after.Nodes.OfType<Conv2dOp>().Single().Output, Is.SameAs(y));
        TestData.AssertSameOutput(before, after);
    }

    [Test]
    public void ChainsFoldWholeIntoTheConvolutionOrTheFirstOfThem()
    {
        // PaddleOCR: conv -> scale -> shift, and after an activation scale -> shift -> scale: one conv, one 1x1 depthwise.
        var b = new GraphBuilder("fold_chain", new TensorShape(4, 5, 6));
        var c = b.Conv2d("conv", b.Input, 8, 3, 1, Padding.Symmetric(1), 1, TestData.Uniform(1, 8 * 4 * 9), TestData.Uniform(2, 8));
        var r = b.Activate("relu", Bn(b, "shift", Bn(b, "scale", c, 10), 20), Activation.Relu);
        var before = b.Build(Bn(b, "scale3", Bn(b, "shift2", Bn(b, "scale2", r, 30), 40), 50));

        var after = FoldBatchNorm.Apply(before);

        Assert.That(TestData.Count<BatchNormOp>(after), Is.Zero);
        Assert.That(after.Nodes.OfType<Conv2dOp>().Select(n => n.Groups).ToArray(), Is.EqualTo(new[] { 1, 8 }));
        Assert.That(after.Output, Is.SameAs(before.Output));
        TestData.AssertSameOutput(before, after);
    }

    [Test]
    public void FoldedBatchNormAtGraphOutputKeepsTheOutputValue()
    {
        var b = new GraphBuilder("fold_bn_last", new TensorShape(3, 5, 5));
        var c = b.Conv2d("conv", b.Input, 2, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 6));
        var before = b.Build(Bn(b, "bn", c, 20));
        var after = FoldBatchNorm.Apply(before);
        Assert.That(after.Nodes, Has.Count.EqualTo(1));
        Assert.That(after.Output, Is.SameAs(before.Output));
        Assert.That(after.Nodes[0].Output, Is.SameAs(before.Output));
        TestData.AssertSameOutput(before, after);
    }

    [Test]
    public void DoesNotFoldWhenConvOutputHasAnotherReader()
    {
        var b = new GraphBuilder("shared", new TensorShape(3, 5, 5));
        var c = b.Conv2d("conv", b.Input, 3, 3, 1, Padding.Symmetric(1), 1, TestData.Uniform(1, 81));
        var y = Bn(b, "bn", c, 30);
        var before = b.Build(b.Add("add", c, y));
        var after = FoldBatchNorm.Apply(before);
        Assert.That(TestData.Count<BatchNormOp>(after), Is.EqualTo(1));
        TestData.AssertSameOutput(before, after);
    }

    [Test]
    public void DoesNotFoldIntoConvWithActivation()
    {
        var b = new GraphBuilder("act", new TensorShape(3, 5, 5));
        var c = b.Conv2d("conv", b.Input, 3, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 9), act: Activation.Relu);
        var before = b.Build(Bn(b, "bn", c, 40));
        var after = FoldBatchNorm.Apply(before);
        Assert.That(TestData.Count<BatchNormOp>(after), Is.EqualTo(1));
        TestData.AssertSameOutput(before, after);
    }
}
