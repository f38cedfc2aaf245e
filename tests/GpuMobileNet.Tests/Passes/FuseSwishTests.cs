using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Passes;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

internal class FuseSwishTests
{
    [TestCase(Activation.Sigmoid, false, Activation.Swish)]
    [TestCase(Activation.Sigmoid, true, Activation.Swish)]
    [TestCase(Activation.HardSigmoid, false, Activation.HardSwish)]
    [TestCase(Activation.KerasHardSigmoid, true, Activation.KerasHardSwish)]
    public void ProductOfValueAndItsGateBecomesOneActivation(Activation gate, bool gateFirst, Activation expected)
    {
        var b = new GraphBuilder("swish", new TensorShape(3, 5, 4));
        var c = b.Conv2d("conv", b.Input, 6, 3, 1, Padding.Symmetric(1), 1, TestData.Uniform(1, 162), TestData.Uniform(2, 6));
        var s = b.Activate("gate", c, gate);
        var before = b.Build(gateFirst ? b.Mul("swish", s, c) : b.Mul("swish", c, s));

        var after = FuseSwish.Apply(before);

        Assert.That(TestData.Count<MulOp>(after), Is.Zero);
        var act = after.Nodes.OfType<ActivationOp>().Single();
        Assert.That((act.Name, act.Input, act.Output, act.Activation), Is.EqualTo(("swish", c, before.Output, expected)));
        TestData.AssertSameOutput(before, after);
        // The pipeline then folds it into the convolution: one node left.
        var piped = PassPipeline.Apply(before, new PassOptions());
        Assert.That(piped.Nodes.Single(), Is.InstanceOf<Conv2dOp>().With.Property(nameof(Conv2dOp.Activation)).EqualTo(expected));
    }

    [TestCase(3f, 1f / 6, true, 2)]
    [TestCase(3f, 1f / 6, false, 2)]
    [TestCase(2f, 1f / 6, true, 5)] // relu6(x + 2): not a hard-swish
    [TestCase(3f, 1f / 5, true, 5)]
    public void ElementwiseHardSwishBecomesOneActivation(float shift, float scale, bool gateSecond, int nodesLeft)
    {
        var before = ElementwiseHardSwish(shift, scale, gateSecond);

        var after = FuseSwish.Apply(before);

        Assert.That(after.Nodes, Has.Count.EqualTo(nodesLeft));
        TestData.AssertSameOutput(before, after);
        Assert.That(after.Nodes.OfType<ActivationOp>().Single().Activation, Is.EqualTo(nodesLeft == 2 ? Activation.HardSwish : Activation.Relu6));
    }

    [Test]
    public void ElementwiseHardSwishFoldsIntoTheConvolution()
    {
        var before = ElementwiseHardSwish(3f, 1f / 6, true);
        var piped = PassPipeline.Apply(before, new PassOptions());
        Assert.That(piped.Nodes.Single(), Is.InstanceOf<Conv2dOp>().With.Property(nameof(Conv2dOp.Activation)).EqualTo(Activation.HardSwish));
        TestData.AssertSameOutput(before, piped);
    }

    // PaddleOCR's x * clip(x + shift, 0, 6) * scale as the importer builds it: affine, ReLU6, product, affine.
    private static ModelGraph ElementwiseHardSwish(float shift, float scale, bool gateSecond)
    {
        var b = new GraphBuilder("hswish", new TensorShape(3, 5, 4));
        var x = b.Conv2d("conv", b.Input, 4, 3, 1, Padding.Symmetric(1), 1, TestData.Uniform(1, 108), TestData.Uniform(2, 4));
        float[] Fill(float v) => Enumerable.Repeat(v, 4).ToArray();
        var r = b.Activate("clip", b.BatchNorm("add3", x, Fill(1), Fill(shift), Fill(0), Fill(1), 0f), Activation.Relu6);
        return b.Build(b.BatchNorm("div6", gateSecond ? b.Mul("mul", x, r) : b.Mul("mul", r, x), Fill(scale), Fill(0), Fill(0), Fill(1), 0f));
    }

    [Test]
    public void GateReadElsewhereOrOfAnotherValueStays()
    {
        var b = new GraphBuilder("shared_gate", new TensorShape(4, 3, 3));
        var c = b.Conv2d("conv", b.Input, 4, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 16));
        var s = b.Activate("gate", c, Activation.Sigmoid);
        var product = b.Mul("swish", c, s);
        var other = b.Mul("other", b.Input, b.Activate("gate2", c, Activation.Sigmoid)); // x * sigmoid(y): no swish
        var before = b.Build(b.Add("sum", b.Add("sum0", product, s), other));

        var after = FuseSwish.Apply(before);

        Assert.That(TestData.Count<MulOp>(after), Is.EqualTo(2));
        Assert.That(after.Nodes.OfType<ActivationOp>().Select(a => a.Activation), Is.All.EqualTo(Activation.Sigmoid));
    }

    [TestCase(-30.0)]
    [TestCase(-1.5)]
    [TestCase(0.0)]
    [TestCase(2.0)]
    [TestCase(40.0)]
    public void ReferenceIsValueTimesSigmoid(double x) =>
        Assert.That(GpuMobileNet.Runtime.Reference.ActivationMath.Apply(x, Activation.Swish), Is.EqualTo(x / (1 + Math.Exp(-x))).Within(1e-12));
}
