using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Kernels;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

/// <summary><see cref="QuadPadding"/>: BlazeFace's blocks of other widths (a 1x1 whose residual is its input padded with
/// zero channels, max pooling, a depthwise convolution) are padded to whole quads and run on the packed kernels with no
/// layout conversion between them, computing the same on the oracle and on the device; values whose padding could
/// reach a real channel keep their width.</summary>
public class QuadPaddingTests : GpuTest
{
    private static readonly SessionOptions Packed = PointwiseConvPackedKernelTests.Packed;

    /// <summary>Two BlazeFace blocks widening 8 → 10 → 14 channels (awkward sizes: 9x7 pixels, a stride-2 block after
    /// pooling), then a 6-channel head.</summary>
    private static ModelGraph WideningBlocks(Activation act = Activation.Relu)
    {
        var b = new GraphBuilder("widening", new TensorShape(8, 9, 7));
        float[] W(int n, int seed) => GpuVsCpu.RandomArray(n, seed, 0.5f);
        var a = b.Conv2d("stem", b.Input, 8, 1, 1, Padding.Zero, 1, W(64, 1), W(8, 2), Activation.Relu);
        var dw0 = b.Conv2d("dw0", a, 8, 3, 1, Padding.Symmetric(1), 8, W(72, 3), W(8, 4));
        var y0 = b.Add("add0", b.Conv2d("pw0", dw0, 10, 1, 1, Padding.Zero, 1, W(80, 5), W(10, 6)), b.Concat("pad0", [a, null], [8, 2]), act);
        var pool = b.MaxPool("pool", y0, 2, 2, 2, 2, Padding.Zero);
        var dw1 = b.Conv2d("dw1", y0, 10, 3, 2, Padding.Zero, 10, W(90, 7), W(10, 8));
        var y1 = b.Add("add1", b.Conv2d("pw1", dw1, 14, 1, 1, Padding.Zero, 1, W(140, 9), W(14, 10)), b.Concat("pad1", [pool, null], [10, 4]), act);
        return b.Build(b.Conv2d("head", y1, 6, 1, 1, Padding.Zero, 1, W(84, 11), W(6, 12)));
    }

    [Test]
    public void BlocksOfOtherWidthsArePaddedToQuads()
    {
        var g = WideningBlocks();
        // The zero blocks stay for this look at them (FoldResidualChannelPad would fold them into the 1x1s).
        var padded = PassPipeline.Apply(g, Packed.Passes! with { FoldResidualChannelPad = false });
        Assert.That(padded.Nodes.Where(n => n.Output != padded.Output).Select(n => n.Output).Where(v => v.Shape.C % 4 != 0), Is.Empty,
            "every value but the graph output is whole quads");
        Assert.That(padded.Output.Shape.C, Is.EqualTo(6), "the output keeps its width");
        Assert.That(padded.Nodes.OfType<ConcatOp>().Select(c => string.Join(",", c.Channels)), Is.EqualTo(new[] { "8,4", "12,4" }),
            "the padding channels come out of the zero blocks");
        var input = GpuVsCpu.RandomArray(g.Input.Shape.Elements, 4);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(padded, input), ReferenceExecutor.Run(g, input), 1e-5, 1e-5, "padded vs original on the oracle");
    }

    [TestCase(Precision.Float32, 1e-4)]
    [TestCase(Precision.Float16Storage, 3e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void PaddedBlocksRunPackedOnTheDevice(Precision precision, double tolerance)
    {
        GpuVsCpu.Check(Device, WideningBlocks(), 2, tolerance, tolerance, options: Packed with { Precision = precision }, inspect: s =>
        {
            Ran.Kernel(s, PointwiseConvPackedKernel.NarrowResidualId, "pw0"); // the narrower residual's build
            Ran.Kernel(s, PointwiseConvPackedKernel.NarrowResidualId, "pw1");
            Ran.Kernel(s, MaxPoolKernel.Id, "pool");
            Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(ConcatKernel.Id.Shader), "the pads are read unpadded as residuals");
            Assert.That(s.Graph.Nodes.Where(n => n is not LayoutConvertOp).Select(n => n.Output.Layout), Is.All.EqualTo(TensorLayout.Nc4hw4));
            Assert.That(s.Graph.Nodes.OfType<LayoutConvertOp>().Count(), Is.EqualTo(2), "only the session's input and output convert");
        });
    }

    [Test]
    public void PaddingThatIsNotZeroStaysOutOfAZeroBlock()
    {
        // sigmoid(0) = 0.5: a padded block would put 0.5 where the concatenation's zeros were, so nothing is padded there.
        var g = WideningBlocks(Activation.Sigmoid);
        var padded = PassPipeline.Apply(g, Packed.Passes);
        Assert.That(padded.Nodes.OfType<MaxPoolOp>().Single().Output.Shape.C, Is.EqualTo(10));
        var input = GpuVsCpu.RandomArray(g.Input.Shape.Elements, 4);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(padded, input), ReferenceExecutor.Run(g, input), 1e-5, 1e-5, "after the passes vs original on the oracle");
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Packed, inspect: s => Ran.Kernel(s, MaxPoolKernel.Id, "pool"));
    }
}
