using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/channel_shuffle.comp against the oracle (a gather is exact), on channel counts that are not
/// multiples of 4, odd planes and batch > 1; and the oracle itself against the definition.</summary>
[OracleTestFor(typeof(ChannelShuffleOp))]
public class ChannelShuffleKernelTests : GpuTest
{
    [TestCase(6, 5, 3, 2, 2)]
    [TestCase(6, 1, 1, 3, 1)]
    [TestCase(15, 7, 3, 5, 2)]
    [TestCase(24, 4, 4, 8, 3)]
    [TestCase(7, 3, 3, 1, 2)]
    public void MatchesOracle(int c, int h, int w, int groups, int batch)
    {
        var g = SmallOpGraphs.Build("shuffle", new TensorShape(c, h, w), (b, x) => b.ChannelShuffle("s", x, groups));
        GpuVsCpu.Check(Device, g, batch, 0, 0, inspect: s => Ran.Kernel(s, ChannelShuffleKernel.Id, "s"));
    }

    [Test]
    public void OracleInterleavesTheGroups()
    {
        // Channel c holds the value c everywhere; 2 groups of 3 become 0 3 1 4 2 5.
        var g = SmallOpGraphs.Build("shuffle", new TensorShape(6, 1, 2), (b, x) => b.ChannelShuffle("s", x, 2));
        var input = Enumerable.Range(0, 12).Select(i => (float)(i / 2)).ToArray();
        var output = ReferenceExecutor.Run(g, input);
        Assert.That(output.Where((_, i) => i % 2 == 0), Is.EqualTo(new float[] { 0, 3, 1, 4, 2, 5 }));
    }

    [Test]
    public void ShufflingBackByTheOtherFactorRestoresTheInput()
    {
        var b = new GraphBuilder("twice", new TensorShape(12, 3, 2));
        var g = b.Build(b.ChannelShuffle("back", b.ChannelShuffle("there", b.Input, 3), 4));
        var input = GpuVsCpu.RandomArray(2 * 72, 3);
        Assert.That(ReferenceExecutor.Run(g, input, 2), Is.EqualTo(input));
        GpuVsCpu.Check(Device, g, 2, 0, 0, inspect: s => Ran.Kernel(s, ChannelShuffleKernel.Id, "back"));
    }

    [Test]
    public void GroupsThatDoNotDivideTheChannelsAreRefused()
    {
        var b = new GraphBuilder("bad", new TensorShape(10, 2, 2));
        Assert.That(() => b.ChannelShuffle("s", b.Input, 3),
            Throws.TypeOf<InvalidGraphException>().With.Message.Contains("ChannelShuffle 's'").And.Message.Contains("groups 3"));
    }
}
