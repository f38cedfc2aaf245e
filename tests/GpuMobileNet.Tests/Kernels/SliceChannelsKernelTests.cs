using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/channel_slice.comp: channel ranges at the start, middle and end, batch > 1; a copy is exact; and
/// slices of a packed input on shaders/gather_channels.comp.</summary>
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

    /// <summary>Slices of a packed 1x1's 16 channels (odd plane, batch 2) read packed through gather_channels: one
    /// channel (planar out, M-LSD's score map), a whole quad (packed out, read by a packed 1x1) and a range that straddles
    /// quads; the 1x1's output is not unpacked; fp32 1e-5, fp16 storage 2e-3.</summary>
    [TestCase(Runtime.Precision.Float32, 1e-5)]
    [TestCase(Runtime.Precision.Float16Storage, 2e-3)]
    public void ReadsAPackedInput(Runtime.Precision precision, double tolerance)
    {
        var options = new Runtime.SessionOptions { Precision = precision, Passes = new GpuMobileNet.Passes.PassOptions { PackChannels = true } };
        GpuVsCpu.Check(Device, PackedSlices(), 2, tolerance, tolerance, options: options, inspect: s =>
        {
            foreach (var slice in new[] { "one", "quad", "straddling" }) Ran.Kernel(s, GatherChannelsKernel.Id, slice);
            Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(SliceChannelsKernel.Id.Shader));
            Assert.That(s.Dispatches.Select(d => d.Label), Has.No.Member("c/to_nchw"), "the 1x1's output is not unpacked");
            Assert.That(s.Dispatches.Select(d => d.Label), Has.No.Member("quad/to_nc4hw4"), "the whole quad is sliced packed");
        });
    }

    /// <summary>A packed 1x1 of 16 channels sliced three ways: channel 5 alone, channels 4-7 read by a packed 1x1, and
    /// channels 2-7 (also HlslKernelTests').</summary>
    internal static ModelGraph PackedSlices()
    {
        var b = new GraphBuilder("packed_slices", new TensorShape(8, 5, 7));
        var c = b.Conv2d("c", b.Input, 16, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(16 * 8, 1), GpuVsCpu.RandomArray(16, 2));
        var one = b.Activate("sigmoid", b.SliceChannels("one", c, 5, 1), Activation.Sigmoid);
        var quad = b.Conv2d("read", b.SliceChannels("quad", c, 4, 4), 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(8 * 4, 3), null);
        return b.BuildPruned([one, quad, b.SliceChannels("straddling", c, 2, 6)]);
    }

    [Test]
    public void RangeOutsideTheInputIsRefused()
    {
        var b = new GraphBuilder("bad", new TensorShape(4, 2, 2));
        Assert.That(() => b.SliceChannels("s", b.Input, 3, 2), Throws.TypeOf<InvalidGraphException>().With.Message.Contains("SliceChannels 's'"));
    }
}
