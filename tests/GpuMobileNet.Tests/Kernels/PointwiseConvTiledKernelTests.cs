using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/pointwise_conv_tiled.comp against the CPU oracle: pixel counts not a multiple of the pixel
/// tile, output channels not a multiple of the channel tile, layers split over several uniform windows.
/// Tolerance abs 1e-4 + rel 1e-4 (sums of up to 1024 He-scaled terms).</summary>
internal class PointwiseConvTiledKernelTests : GpuTest
{
    [TestCase(3, 5, 7, 7, Activation.None, 2, 1, TestName = "tiled pw 3->5 7x7 batch 2")]
    [TestCase(13, 17, 9, 11, Activation.Relu6, 1, 1, TestName = "tiled pw 13->17 9x11")]
    [TestCase(24, 144, 28, 28, Activation.Relu6, 1, 1, TestName = "tiled pw 24->144 28x28")]
    [TestCase(320, 1280, 7, 7, Activation.Relu6, 1, 27, TestName = "tiled pw 320->1280 7x7: 27 windows of 3 blocks")]
    [TestCase(1024, 20, 3, 5, Activation.Relu, 2, 2, TestName = "tiled pw 1024->20: input channels split over two dispatches")]
    [TestCase(24, 144, 1, 2, Activation.Relu6, 3, 1, TestName = "tiled pw 1x2 spatial batch 3")]
    public void MatchesOracle(int inC, int outC, int h, int w, Activation act, int batch, int dispatches)
    {
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 1, 1, Padding.Zero, 1, true, act, residual: false);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Layouts.Planar, inspect: s =>
        {
            Assert.That(s.Dispatches.Select(d => d.Shader), Is.All.EqualTo(PointwiseConvTiledKernel.Id.Shader));
            Assert.That(s.Dispatches, Has.Count.EqualTo(dispatches));
        });
    }

    [TestCase(16, 16, 5, 7, Activation.None)]
    [TestCase(40, 36, 3, 3, Activation.Relu)]
    [TestCase(24, 24, 8, 8, Activation.None, TestName = "residual read as vec4s (64 pixels)")]
    public void WithResidual(int inC, int outC, int h, int w, Activation act)
    {
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 1, 1, Padding.Zero, 1, true, act, residual: true);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Layouts.Planar, inspect: s =>
            Assert.That(s.Dispatches.Select(d => d.Shader), Does.Contain(PointwiseConvTiledKernel.Id.Shader)));
    }

    [TestCase(960, 160, Activation.Relu6, TestName = "split-K 960->160 7x7, residual in place, relu6 after the last part")]
    [TestCase(576, 96, Activation.None, TestName = "split-K 576->96 7x7, residual in place")]
    public void SplitOverInputChannelsWithResidual(int inC, int outC, Activation act)
    {
        // Batch 1: a second batch item would already give each dispatch two workgroups, and no split.
        var g = ConvGraphs.Conv(new TensorShape(inC, 7, 7), outC, 1, 1, Padding.Zero, 1, true, act, residual: true);
        GpuVsCpu.Check(Device, g, 1, 1e-4, 1e-4, options: Layouts.Planar, inspect: s =>
        {
            var conv = s.Graph.Nodes.OfType<GpuMobileNet.Graph.Ops.Conv2dOp>().Single(c => c.Residual is not null);
            Assert.That(s.Memory.OffsetOf(conv.Output), Is.EqualTo(s.Memory.OffsetOf(conv.Residual!)), "planned in place");
            Assert.That(s.Dispatches.Count(d => d.Label.Contains("[in ")), Is.GreaterThan(1), "split over input channels");
        });
    }

    [TestCase(24, 9, 196, 9, 24, TestName = "everything fits one window")]
    [TestCase(320, 80, 1, 3, 320, TestName = "7x7 320->1280: three whole blocks per dispatch")]
    [TestCase(960, 10, 1, 10, 102, TestName = "7x7 960->160: one block fills a window, so split the 960 inputs")]
    [TestCase(384, 4, 8, 2, 384, TestName = "14x14 batch 8: enough workgroups, split by blocks")]
    public void DecomposeFillsTheWindowAndTheProcessors(int inC, int blocks, int workgroupsPerBlock, int expectBlocks, int expectChunk)
    {
        var (b, chunk) = PointwiseConvTiledKernel.Decompose(inC, blocks, 16, 16384, workgroupsPerBlock);
        Assert.That((b, chunk), Is.EqualTo((expectBlocks, expectChunk)));
        Assert.That(b * chunk * 16, Is.LessThanOrEqualTo(16384));
    }

    [Test]
    public void RepackPutsTheTileInnermostAndZeroFillsPastOutC()
    {
        // 3 output channels, 2 inputs, tile 4: weights[co * 2 + ci] = 10 * co + ci.
        float[] w = [0, 1, 10, 11, 20, 21];
        var packed = PointwiseConvTiledKernel.Repack(w, inC: 2, outC: 3, tile: 4, first: 0, count: 1);
        Assert.That(packed, Is.EqualTo(new float[] { 0, 10, 20, 0, 1, 11, 21, 0 }));
    }
}
