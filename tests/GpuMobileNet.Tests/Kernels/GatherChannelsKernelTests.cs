using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/gather_channels.comp: a folded channel view (<see cref="Passes.FoldChannelViews"/>) read by an op that cannot
/// take a quad table (a resize, a pad, a 1x1 with a residual, the graph's output) is gathered from its pool, packed
/// where it holds whole quads, planar otherwise; the rest of the unit stays folded (no copy kernel). Against the CPU
/// oracle of the unfolded graph: halves that straddle a quad, odd planes, batch 2, fp16; abs 1e-4 + rel 1e-4.</summary>
[OracleTestFor(typeof(GatherChannelsOp))]
public class GatherChannelsKernelTests : GpuTest
{
    [TestCase(16, 5, 7, 2, TestName = "gather: shuffled 16 channels, 5x7, batch 2, read by a resize (packed)")]
    [TestCase(24, 3, 3, 1, TestName = "gather: shuffled 24 channels, 3x3, read by a resize (packed)")]
    public void ViewReadByResize(int c, int h, int w, int batch) =>
        CheckGathered(ShuffledUnitReadBy(c, h, w, (b, y) => b.Resize("up", y, 2 * h, 2 * w, true, ResizeCoordinates.HalfPixel, ResizeNearest.Floor, 2, 2)), batch, Precision.Float32, 1e-4);

    [TestCase(16, 5, 6, 2, 6, TestName = "gather: 6 shuffled channels read by a pad: planar output, a partial quad")]
    [TestCase(24, 3, 7, 1, 12, TestName = "gather: 12 shuffled channels read by a pad: planar output")]
    public void SliceReadByPad(int c, int h, int w, int batch, int count) =>
        CheckGathered(ShuffledUnitReadBy(c, h, w, (b, y) => b.Pad("pad", b.SliceChannels("part", y, 0, count), new Padding(1, 0, 0, 1))), batch, Precision.Float32, 1e-4);

    [TestCase(8, 4, 5, 2, TestName = "gather: view read by a 1x1 with a residual, and as the graph's output")]
    public void ViewReadByResidualConvAndOutput(int c, int h, int w, int batch)
    {
        var g = ShuffledUnitReadBy(c, h, w, (b, y) =>
        {
            var conv = b.Conv2d("res", y, c, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c, 9), null);
            return b.Add("add", conv, y);
        });
        CheckGathered(g, batch, Precision.Float32, 1e-4);
    }

    [TestCase(Precision.Float16Storage, 3e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Fp16(Precision precision, double tolerance) => CheckGathered(UpsampledUnit(16, 5, 6), 2, precision, tolerance);

    /// <summary>A shuffled unit whose view a nearest 2x upsample reads (also HlslKernelTests' gather).</summary>
    internal static ModelGraph UpsampledUnit(int c, int h, int w) =>
        ShuffledUnitReadBy(c, h, w, (b, y) => b.Resize("up", y, 2 * h, 2 * w, false, ResizeCoordinates.Asymmetric, ResizeNearest.Floor, 2, 2));

    private static void CheckGathered(ModelGraph g, int batch, Precision precision, double tolerance) =>
        GpuVsCpu.Check(Device, g, batch, tolerance, tolerance, options: PointwiseConvPackedKernelTests.Packed with { Precision = precision }, inspect: s =>
        {
            Assert.That(s.Dispatches.Where(d => d.Source is GatherChannelsOp).Select(d => d.Shader), Is.Not.Empty.And.All.EqualTo(GatherChannelsKernel.Id.Shader));
            Ran.Kernel(s, GatherChannelsKernel.Id);
            Assert.That(s.Dispatches.Select(d => d.Shader).Intersect(MappedConvKernelTests.CopyKernels), Is.Empty, "the unit stays folded");
            Assert.That(s.Dispatches.Count(d => d.Source is MappedConvOp), Is.GreaterThanOrEqualTo(3));
        });

    // Two 1x1 convolutions joined and shuffled (a ShuffleNetV2 unit's end), the shuffle read by a 1x1 (a view it absorbs)
    // and by `reader`, which cannot absorb it.
    private static ModelGraph ShuffledUnitReadBy(int c, int h, int w, Func<GraphBuilder, Value, Value> reader)
    {
        var b = new GraphBuilder("unit", new TensorShape(c, h, w));
        var left = b.Conv2d("l", b.Input, c / 2, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c / 2, 1), GpuVsCpu.RandomArray(c / 2, 2));
        var right = b.Conv2d("r", b.Input, c / 2, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c / 2, 3), null, Activation.Relu);
        var y = b.ChannelShuffle("s", b.Concat("c", [left, right], [c / 2, c / 2]), 2);
        var read = b.Conv2d("p", b.SliceChannels("h1", y, c / 2, c / 2), c / 2, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c / 4, 4), null, Activation.Relu);
        var other = reader(b, y);
        return b.BuildPruned([read, other]);
    }
}
