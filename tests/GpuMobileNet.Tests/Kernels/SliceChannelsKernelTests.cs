using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/channel_slice.comp: channel ranges at the start, middle and end, batch > 1; a copy is exact.</summary>
[OracleTestFor(typeof(SliceChannelsOp))]
public class SliceChannelsKernelTests : GpuTest
{
    [TestCase(7, 5, 3, 0, 2, 2)]
    [TestCase(7, 5, 3, 3, 3, 3)]
    [TestCase(9, 1, 1, 8, 1, 2)]
    public void MatchesOracle(int c, int h, int w, int first, int count, int batch)
    {
        var g = SmallOpGraphs.Build("slice", new TensorShape(c, h, w), (b, x) => b.SliceChannels("s", x, first, count));
        GpuVsCpu.Check(Device, g, batch, 0, 0, inspect: s => Ran.Kernel(s, SliceChannelsKernel.Id, "s"));
    }

    [Test]
    public void RangeOutsideTheInputIsRefused()
    {
        var b = new GraphBuilder("bad", new TensorShape(4, 2, 2));
        Assert.That(() => b.SliceChannels("s", b.Input, 3, 2), Throws.TypeOf<InvalidGraphException>().With.Message.Contains("SliceChannels 's'"));
    }
}
