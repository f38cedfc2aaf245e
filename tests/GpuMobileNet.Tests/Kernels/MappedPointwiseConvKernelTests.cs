using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/pointwise_conv_packed.comp with channel tables (GATHER, SCATTER; <see cref="MappedPointwiseOp"/>, made
/// by <see cref="FoldChannelViews"/>) against the CPU oracle of the unfolded graph: odd planes, stride-2 units, halves
/// of 58 channels (padded to 60), batch 2; and the sessions built for ShuffleNetV2 plan no copy kernel.</summary>
public class MappedPointwiseConvKernelTests : GpuTest
{
    private static readonly SessionOptions Packed = new() { Passes = new PassOptions { PackChannels = true } };

    /// <summary>The kernels that only move data: a network whose splits and concatenations are folded runs none of them.</summary>
    internal static readonly string[] CopyKernels =
        [SliceChannelsKernel.Id.Shader, ConcatKernel.Id.Shader, ShuffledConcatKernel.Id.Shader, ChannelShuffleKernel.Id.Shader];

    [TestCase(1.0, 45, 2, TestName = "ShuffleNetV2 1.0 at 45x45, batch 2: 58-channel halves, odd planes")]
    [TestCase(0.5, 64, 1, TestName = "ShuffleNetV2 0.5 at 64x64")]
    public void ShuffleNetV2MatchesOracleWithNoCopyKernel(double scale, int resolution, int batch)
    {
        var g = ShuffleNetV2.Create(scale, resolution, classes: 16);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-3, options: Packed, inspect: s =>
        {
            var shaders = s.Dispatches.Select(d => d.Shader).ToList();
            Assert.That(shaders.Intersect(CopyKernels), Is.Empty, "no copy kernel");
            Assert.That(s.Dispatches.Count(d => d.Source is MappedPointwiseOp), Is.GreaterThan(30));
        });
    }

    [TestCase(12, 5, 7, 2)]
    [TestCase(20, 3, 3, 1)]
    public void OneUnitWithOddHalves(int c, int h, int w, int batch)
    {
        // A stride-1 unit over a concatenation whose halves (c / 2, not a multiple of 4) straddle a quad.
        var b = new GraphBuilder("unit", new TensorShape(c, h, w));
        var left = b.Conv2d("l", b.Input, c / 2, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c / 2, 1), GpuVsCpu.RandomArray(c / 2, 2));
        var right = b.Conv2d("r", b.Input, c / 2, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c / 2, 3), null, Activation.Relu);
        var x = b.ChannelShuffle("s", b.Concat("c", [left, right], [c / 2, c / 2]), 2);
        var branch = b.Conv2d("p1", b.SliceChannels("h1", x, c / 2, c / 2), c / 2, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c / 4, 4), null, Activation.Relu);
        branch = b.Conv2d("dw", branch, c / 2, 3, 1, Padding.Symmetric(1), c / 2, GpuVsCpu.RandomArray(c / 2 * 9, 5));
        branch = b.Conv2d("p2", branch, c / 2, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c / 4, 6), GpuVsCpu.RandomArray(c / 2, 7));
        var y = b.ChannelShuffle("s2", b.Concat("j", [b.SliceChannels("h0", x, 0, c / 2), branch], [c / 2, c / 2]), 2);
        var g = b.Build(b.Conv2d("out", y, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(8 * c, 8)));
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Packed, inspect: s =>
        {
            Assert.That(s.Dispatches.Select(d => d.Shader).Intersect(MappedPointwiseConvKernelTests.CopyKernels), Is.Empty);
            Assert.That(s.Dispatches.Count(d => d.Source is MappedPointwiseOp { SourceChannels: not null }), Is.EqualTo(1), "p1 gathers");
            Assert.That(s.Dispatches.Count(d => d.Source is MappedPointwiseOp { TargetChannels: not null }), Is.EqualTo(3), "l, r and p2 write");
        });
    }

    [TestCase(Precision.Float16Storage, 3e-3)]
    public void Fp16Storage(Precision precision, double tolerance)
    {
        var g = ShuffleNetV2.Create(0.5, 33, classes: 8);
        GpuVsCpu.Check(Device, g, 2, tolerance, tolerance, options: Packed with { Precision = precision });
    }
}
