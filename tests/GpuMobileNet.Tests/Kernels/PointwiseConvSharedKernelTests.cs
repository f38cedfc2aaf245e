using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/pointwise_conv_shared.comp (opt-in through <see cref="PointwiseVariant.SharedMemory"/>) against
/// the CPU oracle: pixel counts not a multiple of the 64-pixel tile, output channels not a multiple of the
/// 32-channel tile, input channels not a multiple of the 16-channel slice, batches, residuals, and the fp16 builds.
/// Tolerance abs 1e-4 + rel 1e-4 in fp32 (sums of up to 1024 He-scaled terms); fp16 as in Float16Tests.</summary>
internal class PointwiseConvSharedKernelTests : GpuTest
{
    private static readonly SessionOptions Shared = new() { Kernels = new KernelChoice(Pointwise: PointwiseVariant.SharedMemory), Passes = Layouts.PlanarPasses };

    [TestCase(3, 5, 7, 7, Activation.None, 2, TestName = "shared pw 3->5 7x7 batch 2")]
    [TestCase(13, 17, 9, 11, Activation.Relu6, 1, TestName = "shared pw 13->17 9x11")]
    [TestCase(24, 144, 28, 28, Activation.Relu6, 1, TestName = "shared pw 24->144 28x28: 13 pixel tiles, inC not a multiple of 16")]
    [TestCase(320, 1280, 7, 7, Activation.Relu6, 1, TestName = "shared pw 320->1280 7x7: 40 channel tiles")]
    [TestCase(1024, 20, 3, 5, Activation.Relu, 2, TestName = "shared pw 1024->20 3x5 batch 2: 64 slices")]
    [TestCase(24, 144, 1, 2, Activation.Relu6, 3, TestName = "shared pw 1x2 spatial batch 3")]
    [TestCase(40, 48, 8, 8, Activation.None, 2, TestName = "shared pw 40->48 8x8: one exact pixel tile, 2.5 slices, 1.5 channel tiles")]
    [TestCase(64, 32, 16, 16, Activation.Relu, 1, TestName = "shared pw 64->32 16x16: everything whole tiles")]
    [TestCase(17, 33, 13, 5, Activation.None, 1, TestName = "shared pw 17->33 13x5: one channel past a slice and a tile")]
    public void MatchesOracle(int inC, int outC, int h, int w, Activation act, int batch)
    {
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 1, 1, Padding.Zero, 1, true, act, residual: false);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Shared, inspect: s =>
        {
            var d = s.Dispatches.Single();
            Assert.That(d.Shader, Is.EqualTo(PointwiseConvSharedKernel.Id.Shader));
            Assert.That(d.Groups, Is.EqualTo(((uint)((h * w + 63) / 64), (uint)((outC + 31) / 32), (uint)batch)));
        });
    }

    [Test]
    public void WithoutBias()
    {
        var g = ConvGraphs.Conv(new TensorShape(19, 6, 7), 35, 1, 1, Padding.Zero, 1, false, Activation.Relu6, residual: false);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Shared,
            inspect: s => Assert.That(s.Dispatches.Single().Shader, Is.EqualTo(PointwiseConvSharedKernel.Id.Shader)));
    }

    [TestCase(16, 16, 5, 7, Activation.None, 2)]
    [TestCase(40, 36, 3, 3, Activation.Relu, 2)]
    [TestCase(24, 24, 8, 8, Activation.None, 1)]
    [TestCase(96, 96, 14, 14, Activation.Relu6, 1, TestName = "residual 96->96 14x14: 4 pixel tiles, relu6 after the add")]
    [TestCase(160, 160, 7, 7, Activation.None, 3)]
    public void WithResidual(int inC, int outC, int h, int w, Activation act, int batch)
    {
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 1, 1, Padding.Zero, 1, true, act, residual: true);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Shared, inspect: s =>
        {
            // Both convs of the graph (the residual's producer too) are pointwise.
            Assert.That(s.Dispatches.Select(d => d.Shader), Is.All.EqualTo(PointwiseConvSharedKernel.Id.Shader));
            Assert.That(s.Dispatches, Has.Count.EqualTo(2));
            // The planner writes the sum over the residual operand: the shader's read-then-write of each element.
            var conv = s.Graph.Nodes.OfType<GpuMobileNet.Graph.Ops.Conv2dOp>().Single(c => c.Residual is not null);
            Assert.That(s.Memory.OffsetOf(conv.Output), Is.EqualTo(s.Memory.OffsetOf(conv.Residual!)), "planned in place");
        });
    }

    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Float16MatchesOracle(Precision precision, double tolerance)
    {
        var options = Shared with { Precision = precision };
        var shapes = new[]
        {
            ConvGraphs.Conv(new(3, 7, 7), 5, 1, 1, Padding.Zero, 1, true, Activation.None, false),
            ConvGraphs.Conv(new(13, 9, 11), 17, 1, 1, Padding.Zero, 1, true, Activation.Relu6, false),
            ConvGraphs.Conv(new(24, 7, 9), 20, 1, 1, Padding.Zero, 1, true, Activation.None, true),
            // More than 32 input channels: the fp16-arithmetic build folds its partial sums into fp32.
            ConvGraphs.Conv(new(96, 10, 10), 40, 1, 1, Padding.Zero, 1, true, Activation.Relu, false),
            ConvGraphs.Conv(new(72, 5, 5), 72, 1, 1, Padding.Zero, 1, false, Activation.None, true),
        };
        foreach (var g in shapes)
            GpuVsCpu.Check(Device, g, 2, tolerance, tolerance, options: options, what: $"{precision} {g.Name}",
                inspect: s => Assert.That(s.Dispatches.Select(d => d.Shader), Is.All.EqualTo(PointwiseConvSharedKernel.Id.Shader)));
    }

    /// <summary>Every pointwise layer of a MobileNetV2 (block fusion off, so they stay separate convs) on the shared
    /// kernel; tolerance as in WholeNetworkTests.</summary>
    [TestCase(1)]
    [TestCase(2)]
    public void MobileNetV2MatchesOracle(int batch)
    {
        var graph = MobileNetV2.Create(0.35, 96, 10, WeightInit.Random(5));
        var options = Shared with { Passes = new PassOptions(FuseDepthwisePointwise: false, FuseInvertedResidual: false) { PackChannels = false } };
        GpuVsCpu.Check(Device, graph, batch, 2e-5, 1e-3, options: options, what: $"MobileNetV2 0.35/96 shared pointwise batch {batch}",
            inspect: s =>
            {
                int pointwise = s.Graph.Nodes.OfType<GpuMobileNet.Graph.Ops.Conv2dOp>().Count(c => c.IsPointwise);
                Assert.That(pointwise, Is.GreaterThan(30));
                Assert.That(s.Dispatches.Count(d => d.Shader == PointwiseConvSharedKernel.Id.Shader), Is.EqualTo(pointwise));
                Assert.That(s.Dispatches.Select(d => d.Shader), Has.None.EqualTo(PointwiseConvTiledKernel.Id.Shader));
            });
    }

    /// <summary>The packed 1x1 on a GPU (<see cref="GemmVariant.SharedMemory"/>, forced here): PACKED reads and writes
    /// NC4HW4 (quads of a pixel staged by neighbouring invocations), channel counts whole quads but not whole slices or
    /// tiles, a residual, fp16.</summary>
    [TestCase(12, 40, 13, 5, Activation.Relu6, false, Precision.Float32, 1e-4, TestName = "shared packed pw 12->40 13x5")]
    [TestCase(68, 36, 9, 11, Activation.None, true, Precision.Float32, 1e-4, TestName = "shared packed pw 68->36 9x11 residual")]
    [TestCase(96, 40, 10, 10, Activation.Relu, false, Precision.Float16, 1e-2, TestName = "shared packed pw 96->40 fp16 arithmetic")]
    [TestCase(20, 20, 7, 9, Activation.None, true, Precision.Float16Storage, 2e-3, TestName = "shared packed pw 20->20 fp16 storage residual")]
    public void PackedMatchesOracle(int inC, int outC, int h, int w, Activation act, bool residual, Precision precision, double tolerance)
    {
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 1, 1, Padding.Zero, 1, true, act, residual);
        var options = PointwiseConvPackedKernelTests.Packed with { Kernels = new KernelChoice(Gemm: GemmVariant.SharedMemory), Precision = precision };
        GpuVsCpu.Check(Device, g, 2, tolerance, tolerance, options: options, inspect: s =>
        {
            Ran.Kernel(s, PointwiseConvSharedKernel.Id, "conv");
            var spec = (PointwiseConvSharedConstants)s.Dispatches.Single(d => d.Label == "conv").Constants;
            Assert.That((bool)spec.Packed, "PACKED");
            Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(PointwiseConvPackedKernel.Id.Shader));
        });
    }

    [Test]
    public void RepackTransposesAndZeroPadsToWholeTilesAndSlices()
    {
        // 3 output channels, 2 inputs, tile 4, slice 3: weights[co * 2 + ci] = 10 * co + ci + 1.
        float[] w = [1, 2, 11, 12, 21, 22];
        var packed = PointwiseConvSharedKernel.Repack(w, inC: 2, outC: 3, tile: 4, slice: 3);
        Assert.That(packed, Is.EqualTo(new float[] { 1, 11, 21, 0, 2, 12, 22, 0, 0, 0, 0, 0 }));
    }

    [Test]
    public void WorkgroupIsOneInvocationPerRegisterTile()
    {
        Assert.That(PointwiseConvSharedKernel.Invocations, Is.EqualTo(64));
        Assert.That(PointwiseConvSharedKernel.SharedBytes, Is.LessThanOrEqualTo(16384));
    }
}
