using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>The packed 1x1 and depthwise kernels reading and writing quads of wider tensors (<see cref="MappedConvOp"/>,
/// made by <see cref="FoldChannelViews"/>) against the CPU oracle of the unfolded graph: odd planes, stride-2 units,
/// halves of 58 channels (padded to 60), batch 2, fp16 storage, GhostNet's SE gate read by a writer; and the sessions built for ShuffleNetV2 and GhostNet
/// plan no copy kernel (by the kernel each dispatch runs).</summary>
[OracleTestFor(typeof(MappedConvOp))]
public class MappedConvKernelTests : GpuTest
{
    private static readonly SessionOptions Packed = new() { Passes = new PassOptions { PackChannels = true } };

    /// <summary>The kernels that only move data: a network whose splits and concatenations are folded runs none of them.</summary>
    internal static readonly string[] CopyKernels =
        [SliceChannelsKernel.Id.Shader, ConcatKernel.Id.Shader, ShuffledConcatKernel.Id.Shader, ChannelShuffleKernel.Id.Shader];

    [TestCase("shufflenet_v2", 45, 2, TestName = "ShuffleNetV2 1.0 at 45x45, batch 2: 58-channel halves, odd planes")]
    [TestCase("ghostnet", 35, 1, TestName = "GhostNet 1.0 at 35x35")]
    public void NetworkMatchesOracleWithNoCopyKernel(string model, int resolution, int batch)
    {
        var g = model == "ghostnet" ? GhostNet.Create(1.0, resolution, classes: 16) : ShuffleNetV2.Create(1.0, resolution, classes: 16);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-3, options: Packed, inspect: s =>
        {
            Assert.That(s.Dispatches.Select(d => d.Shader).Intersect(CopyKernels), Is.Empty, "no copy kernel");
            Assert.That(s.Dispatches.Count(d => d.Source is MappedConvOp), Is.GreaterThanOrEqualTo(32));
            // GhostNet's squeeze-and-excite products are read by 1x1 convolutions writing a concatenation: gated reads.
            Assert.That(s.Dispatches.Count(d => d.Shader == MulKernel.Id.Shader), Is.Zero, "every SE product folded");
        });
    }

    [TestCase(12, 5, 7, 2)]
    [TestCase(20, 3, 3, 1)]
    public void ShuffleUnitWithOddHalves(int c, int h, int w, int batch)
    {
        var g = ShuffleUnit(c, h, w);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Packed, inspect: s =>
        {
            Assert.That(s.Dispatches.Select(d => d.Shader).Intersect(CopyKernels), Is.Empty);
            Assert.That(s.Dispatches.Count(d => d.Source is MappedConvOp { SourceQuads: not null, TargetQuads: null }), Is.EqualTo(2), "p1 and out gather");
            Assert.That(s.Dispatches.Count(d => d.Source is MappedConvOp { TargetQuads: not null }), Is.EqualTo(3), "l, r and p2 write");
        });
    }

    [TestCase(8, 5, 3, 2)]
    [TestCase(12, 7, 7, 1)]
    public void GhostModuleWritesItsConcatenation(int c, int h, int w, int batch)
    {
        // The cheap depthwise reads the primary's quads of the concatenation and writes the rest, stride 1 and 5x5.
        var b = new GraphBuilder("ghost", new TensorShape(c, h, w));
        var primary = b.Conv2d("primary", b.Input, c, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c, 1), GpuVsCpu.RandomArray(c, 4), Activation.Relu);
        var cheap = b.Conv2d("cheap", primary, c, 5, 1, Padding.Symmetric(2), c, GpuVsCpu.RandomArray(c * 25, 2), null, Activation.Relu);
        var joined = b.Concat("concat", [primary, cheap], [c, c]);
        var g = b.Build(b.Add("add", joined, b.Conv2d("shortcut", b.Input, 2 * c, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(2 * c * c, 3))));
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Packed, inspect: s =>
        {
            Assert.That(s.Dispatches.Select(d => d.Shader).Intersect(CopyKernels), Is.Empty);
            Assert.That(s.Dispatches.Single(d => d.Label == "cheap").Shader, Is.EqualTo(DepthwiseConvPackedKernel.Id.Shader));
        });
    }

    [Test]
    public void WithoutMemoryReuseTheWritersStillShareTheirBuffer() =>
        GpuVsCpu.Check(Device, ShuffleUnit(12, 3, 5), 2, 1e-4, 1e-4, options: Packed with { MemoryReuse = false });

    [TestCase(Precision.Float16Storage, 3e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Fp16(Precision precision, double tolerance) =>
        GpuVsCpu.Check(Device, ShuffleUnit(12, 5, 6), 2, tolerance, tolerance, options: Packed with { Precision = precision });

    // A ShuffleNetV2 stride-1 unit over a concatenation whose halves (c / 2, not a multiple of 4) straddle a quad.
    internal static ModelGraph ShuffleUnit(int c, int h, int w)
    {
        var b = new GraphBuilder("unit", new TensorShape(c, h, w));
        var left = b.Conv2d("l", b.Input, c / 2, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c / 2, 1), GpuVsCpu.RandomArray(c / 2, 2));
        var right = b.Conv2d("r", b.Input, c / 2, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c / 2, 3), null, Activation.Relu);
        var x = b.ChannelShuffle("s", b.Concat("c", [left, right], [c / 2, c / 2]), 2);
        var branch = b.Conv2d("p1", b.SliceChannels("h1", x, c / 2, c / 2), c / 2, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c / 4, 4), null, Activation.Relu);
        branch = b.Conv2d("dw", branch, c / 2, 3, 1, Padding.Symmetric(1), c / 2, GpuVsCpu.RandomArray(c / 2 * 9, 5));
        branch = b.Conv2d("p2", branch, c / 2, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c / 4, 6), GpuVsCpu.RandomArray(c / 2, 7));
        var y = b.ChannelShuffle("s2", b.Concat("j", [b.SliceChannels("h0", x, 0, c / 2), branch], [c / 2, c / 2]), 2);
        return b.Build(b.Conv2d("out", y, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(8 * c, 8)));
    }
}
