using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Kernels;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

/// <summary><see cref="FoldReluIntoConcat"/>: the ReLU over ShuffleNetV1's stride-2 concatenation moves into the conv
/// that writes one part, and is dropped for the pooled shortcut of a ReLU output; the folded graph agrees with the
/// unfolded one on the oracle (exactly: the same operations), and on the GPU packed and planar (abs 1e-4 + rel 1e-4).
/// A part that may be negative and has no conv to take the ReLU keeps the pass.</summary>
public class FoldReluIntoConcatTests : GpuTest
{
    [TestCase(true, 1)]
    [TestCase(false, 2)]
    public void StrideTwoUnitLosesItsReluPass(bool packed, int batch)
    {
        var g = Unit(shortcutNonNegative: true);
        var folded = PassPipeline.Apply(g, new PassOptions { PackChannels = packed });
        Assert.That(folded.Nodes.OfType<ActivationOp>(), Is.Empty, "the ReLU should be folded away");
        var input = GpuVsCpu.RandomArray(batch * g.Input.Shape.Elements, 4);
        Assert.That(ReferenceExecutor.Run(folded, input, batch), Is.EqualTo(ReferenceExecutor.Run(g, input, batch)));
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: packed ? PointwiseConvPackedKernelTests.Packed : Layouts.Planar);
    }

    [Test]
    public void ShortcutThatMayBeNegativeKeepsTheRelu()
    {
        var g = Unit(shortcutNonNegative: false);
        Assert.That(FoldReluIntoConcat.Apply(PassPipeline.Apply(g, PassOptions.None)).Nodes.OfType<ActivationOp>().Count(), Is.EqualTo(1));
        Assert.That(PassPipeline.Apply(g, new PassOptions()).Nodes.OfType<ActivationOp>().Count(), Is.EqualTo(1));
    }

    [Test]
    public void ShuffleNetV1HasNoReluPass()
    {
        var g = PassPipeline.Apply(ShuffleNetV1.Create(3, 1.0, 64, 10), new PassOptions().ResolveFor(cpuDevice: true));
        Assert.That(g.Nodes.OfType<ActivationOp>(), Is.Empty);
    }

    /// <summary>Any op whose provider takes a fused activation can take the ReLU: here an Add writes one part (the pass
    /// alone, so the residual fusion does not turn it into a convolution first).</summary>
    [Test]
    public void AnAddPartTakesTheRelu()
    {
        var b = new GraphBuilder("add_part", new TensorShape(8, 5, 7));
        var left = b.Conv2d("left", b.Input, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(64, 1));
        var sum = b.Add("sum", left, b.Input);
        var p = b.Conv2d("p", b.Input, 4, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(32, 2));
        var g = b.Build(b.Activate("relu", b.Concat("concat", [sum, p], [8, 4]), Activation.Relu));
        var folded = FoldReluIntoConcat.Apply(g);
        Assert.That(folded.Nodes.OfType<ActivationOp>(), Is.Empty, "the ReLU should be folded away");
        Assert.That(folded.Nodes.OfType<AddOp>().Single().Activation, Is.EqualTo(Activation.Relu));
        var input = GpuVsCpu.RandomArray(g.Input.Shape.Elements, 3);
        Assert.That(ReferenceExecutor.Run(folded, input, 1), Is.EqualTo(ReferenceExecutor.Run(g, input, 1)));
    }

    /// <summary>x (ReLU output, or a linear conv's) → [avg pool 3x3 s2 | 1x1 → depthwise s2 → 1x1] → concat → ReLU.</summary>
    private static ModelGraph Unit(bool shortcutNonNegative)
    {
        var b = new GraphBuilder("unit", new TensorShape(8, 9, 11));
        var x = b.Conv2d("stem", b.Input, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(64, 1), GpuVsCpu.RandomArray(8, 2),
            shortcutNonNegative ? Activation.Relu : Activation.None);
        var shortcut = b.AvgPool("avgpool", x, 3, 3, 2, 2, Padding.Symmetric(1));
        var e = b.Conv2d("expand", x, 12, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(96, 3), null, Activation.Relu);
        var d = b.Conv2d("dw", e, 12, 3, 2, Padding.Symmetric(1), 12, GpuVsCpu.RandomArray(108, 4));
        var p = b.Conv2d("project", d, 16, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(192, 5), GpuVsCpu.RandomArray(16, 6));
        var joined = b.Concat("concat", [shortcut, p], [8, 16]);
        return b.Build(b.Activate("relu", joined, Activation.Relu));
    }
}
