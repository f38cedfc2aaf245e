using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Passes;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

public class FuseActivationTests
{
    [Test]
    public void FusesIntoConvAddAndDense()
    {
        var b = new GraphBuilder("fuse_act", new TensorShape(3, 5, 5));
        var c = b.Conv2d("conv", b.Input, 3, 3, 1, Padding.Symmetric(1), 1, TestData.Uniform(1, 81), TestData.Uniform(2, 3));
        var c6 = b.Activate("conv_relu6", c, Activation.Relu6);
        var s = b.Add("add", c6, b.Input);
        var sr = b.Activate("add_relu", s, Activation.Relu);
        var p = b.GlobalAvgPool("pool", sr);
        var d = b.Dense("dense", p, 4, TestData.Uniform(3, 12), TestData.Uniform(4, 4));
        var before = b.Build(b.Activate("dense_relu", d, Activation.Relu));

        var after = FuseActivation.Apply(before);

        Assert.That(TestData.Count<ActivationOp>(after), Is.Zero);
        Assert.That(after.Nodes.OfType<Conv2dOp>().Single().Activation, Is.EqualTo(Activation.Relu6));
        Assert.That(after.Nodes.OfType<AddOp>().Single().Activation, Is.EqualTo(Activation.Relu));
        Assert.That(after.Nodes.OfType<DenseOp>().Single().Output, Is.SameAs(before.Output));
        TestData.AssertSameOutput(before, after);
    }

    [Test]
    public void DoesNotFuseWhenPreActivationValueIsReadTwice()
    {
        var b = new GraphBuilder("shared", new TensorShape(2, 4, 4));
        var c = b.Conv2d("conv", b.Input, 2, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 4));
        var r = b.Activate("relu", c, Activation.Relu);
        var before = b.Build(b.Add("add", c, r));
        var after = FuseActivation.Apply(before);
        Assert.That(TestData.Count<ActivationOp>(after), Is.EqualTo(1));
        Assert.That(after.Nodes.OfType<Conv2dOp>().Single().Activation, Is.EqualTo(Activation.None));
        TestData.AssertSameOutput(before, after);
    }

    [Test]
    public void DoesNotReplaceAnExistingActivation()
    {
        var b = new GraphBuilder("twice", new TensorShape(2, 4, 4));
        var c = b.Conv2d("conv", b.Input, 2, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 4), act: Activation.Relu);
        var before = b.Build(b.Activate("relu6", c, Activation.Relu6));
        var after = FuseActivation.Apply(before);
        Assert.That(TestData.Count<ActivationOp>(after), Is.EqualTo(1));
        TestData.AssertSameOutput(before, after);
    }
}
