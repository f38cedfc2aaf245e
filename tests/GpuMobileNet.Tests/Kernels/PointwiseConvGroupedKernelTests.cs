using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/pointwise_conv_grouped.comp against the oracle: group sizes that are not multiples of the 8-channel
/// tile or of 4, odd planes, batch > 1, bias, activation and a fused residual; and read through a channel shuffle
/// (the <see cref="FoldChannelShuffle"/> pass). Planar layouts pinned (the packed grouped kernel has its own tests). fp32 sums of up to 40 products: abs 1e-5 + rel 1e-4.</summary>
[OracleTestFor(typeof(ShuffledReadConvOp))]
public class PointwiseConvGroupedKernelTests : GpuTest
{
    [TestCase(6, 9, 3, 5, 3, 2, false)]
    [TestCase(40, 60, 4, 7, 7, 1, true)]
    [TestCase(24, 24, 8, 9, 1, 2, true)]
    [TestCase(60, 240, 3, 3, 5, 2, false)]
    public void MatchesOracle(int inC, int outC, int groups, int h, int w, int batch, bool residual)
    {
        var b = new GraphBuilder("grouped", new TensorShape(inC, h, w));
        var y = b.Conv2d("g", b.Input, outC, 1, 1, Padding.Zero, groups, GpuVsCpu.RandomArray(outC * inC / groups, 1),
            GpuVsCpu.RandomArray(outC, 2), Activation.Relu);
        if (residual && inC == outC) y = b.Add("add", y, b.Input, Activation.Relu);
        GpuVsCpu.Check(Device, b.Build(y), batch, 1e-5, 1e-4, options: Layouts.Planar, inspect: s => Ran.Kernel(s, PointwiseConvGroupedKernel.Id, "g"));
    }

    [TestCase(12, 3, 4, 1)]
    [TestCase(24, 8, 4, 2)]
    [TestCase(20, 2, 4, 2)]
    public void ShuffleThroughDepthwiseFoldsIntoTheGroupedRead(int c, int shuffleGroups, int convGroups, int batch)
    {
        var g = ShuffleUnit(c, shuffleGroups, convGroups);
        var folded = PassPipeline.Apply(g, new PassOptions { PackChannels = false });
        Assert.That(folded.Nodes.OfType<ChannelShuffleOp>(), Is.Empty, "the shuffle should be folded away");
        Assert.That(folded.Nodes.OfType<ShuffledReadConvOp>().Count(), Is.EqualTo(1));

        var input = GpuVsCpu.RandomArray(batch * g.Input.Shape.Elements, 4);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(folded, input, batch), ReferenceExecutor.Run(g, input, batch), 1e-5, 1e-5, "folded graph on the oracle");
        GpuVsCpu.Check(Device, g, batch, 1e-5, 1e-4, options: Layouts.Planar, inspect: s => Ran.Kernel(s, PointwiseConvGroupedKernel.Id, "g"));
    }

    [Test]
    public void ShuffleWithASecondReaderStays()
    {
        var b = new GraphBuilder("kept", new TensorShape(12, 5, 5));
        var s = b.ChannelShuffle("shuffle", b.Input, 3);
        var d = b.Conv2d("dw", s, 12, 3, 1, Padding.Symmetric(1), 12, GpuVsCpu.RandomArray(108, 1));
        var y = b.Conv2d("g", d, 12, 1, 1, Padding.Zero, 4, GpuVsCpu.RandomArray(36, 2));
        var g = b.Build(b.Add("add", y, s));
        Assert.That(FoldChannelShuffle.Apply(g).Nodes.OfType<ChannelShuffleOp>().Count(), Is.EqualTo(1));
    }

    private static ModelGraph ShuffleUnit(int c, int shuffleGroups, int convGroups)
    {
        var b = new GraphBuilder("unit", new TensorShape(c, 7, 5));
        var s = b.ChannelShuffle("shuffle", b.Input, shuffleGroups);
        var d = b.Conv2d("dw", s, c, 3, 1, Padding.Symmetric(1), c, GpuVsCpu.RandomArray(c * 9, 1), GpuVsCpu.RandomArray(c, 3), Activation.Relu);
        var y = b.Conv2d("g", d, c, 1, 1, Padding.Zero, convGroups, GpuVsCpu.RandomArray(c * c / convGroups, 2));
        return b.Build(b.Add("add", y, b.Input, Activation.Relu));
    }
}
