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
public class PointwiseConvTiledKernelTests : GpuTest
{
    [TestCase(3, 5, 7, 7, Activation.None, 2, 1, TestName = "tiled pw 3->5 7x7 batch 2")]
    [TestCase(13, 17, 9, 11, Activation.Relu6, 1, 1, TestName = "tiled pw 13->17 9x11")]
    [TestCase(24, 144, 28, 28, Activation.Relu6, 1, 1, TestName = "tiled pw 24->144 28x28")]
    [TestCase(320, 1280, 7, 7, Activation.Relu6, 1, 27, TestName = "tiled pw 320->1280 7x7: 27 windows")]
    [TestCase(1024, 20, 3, 5, Activation.Relu, 2, 2, TestName = "tiled pw 1024->20: one block per window")]
    [TestCase(24, 144, 1, 1, Activation.Relu6, 3, 1, TestName = "tiled pw 1x1 spatial batch 3")]
    public void MatchesOracle(int inC, int outC, int h, int w, Activation act, int batch, int dispatches)
    {
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 1, 1, Padding.Zero, 1, true, act, residual: false);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, inspect: s =>
        {
            Assert.That(s.Dispatches.Select(d => d.Shader), Is.All.EqualTo(PointwiseConvTiledKernel.Shader));
            Assert.That(s.Dispatches, Has.Count.EqualTo(dispatches));
        });
    }

    [TestCase(16, 16, 5, 7, Activation.None)]
    [TestCase(40, 36, 3, 3, Activation.Relu)]
    public void WithResidual(int inC, int outC, int h, int w, Activation act)
    {
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 1, 1, Padding.Zero, 1, true, act, residual: true);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, inspect: s =>
            Assert.That(s.Dispatches.Select(d => d.Shader), Does.Contain(PointwiseConvTiledKernel.Shader)));
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
