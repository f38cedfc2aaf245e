using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/depthwise_conv_tiled.comp against the CPU oracle: row tails shorter than the pixel tile,
/// borders on all sides, stride 2, 5x5, images whose rows do not pair up (two output rows per invocation), channel
/// splits over uniform windows. Tolerance abs 1e-4 + rel 1e-4.</summary>
internal class DepthwiseConvTiledKernelTests : GpuTest
{
    [TestCase(5, 9, 7, 3, 1, Activation.Relu6, 2, TestName = "tiled dw 3x3 s1, 5 channels, odd sizes, batch 2")]
    [TestCase(7, 15, 15, 3, 2, Activation.Relu, 1, TestName = "tiled dw 3x3 s2 same pad, odd size")]
    [TestCase(12, 14, 14, 3, 2, Activation.None, 2, TestName = "tiled dw 3x3 s2 even size")]
    [TestCase(6, 11, 8, 5, 1, Activation.Relu6, 1, TestName = "tiled dw 5x5 s1")]
    [TestCase(9, 13, 13, 5, 2, Activation.Relu6, 2, TestName = "tiled dw 5x5 s2")]
    [TestCase(4, 3, 2, 3, 1, Activation.None, 1, TestName = "tiled dw 3x3 on a 3x2 image (narrower than the tile)")]
    [TestCase(1500, 5, 6, 3, 1, Activation.Relu6, 1, TestName = "tiled dw 1500 channels: two windows")]
    [TestCase(6, 12, 16, 3, 1, Activation.Relu6, 2, TestName = "tiled dw 3x3 s1, rows of whole vec4s")]
    [TestCase(5, 16, 16, 3, 2, Activation.Relu6, 2, TestName = "tiled dw 3x3 s2 same pad, rows of whole vec4s")]
    [TestCase(3, 8, 20, 5, 1, Activation.None, 1, TestName = "tiled dw 5x5 s1, rows of whole vec4s (shift 2)")]
    [TestCase(4, 1, 9, 3, 1, Activation.Relu6, 2, TestName = "tiled dw 3x3 s1 on a single row (one row per invocation)")]
    [TestCase(5, 2, 12, 3, 2, Activation.None, 1, TestName = "tiled dw 3x3 s2 on two input rows: one output row, a pair with its second row past the end")]
    [TestCase(3, 11, 12, 5, 2, Activation.Relu, 2, TestName = "tiled dw 5x5 s2, 6 output rows in 3 pairs, rows of whole vec4s")]
    public void MatchesOracle(int c, int h, int w, int k, int stride, Activation act, int batch)
    {
        var pad = stride == 2 ? Padding.Same(h, w, k, k, 2, 2) : Padding.Symmetric(k / 2);
        var g = ConvGraphs.Conv(new TensorShape(c, h, w), c, k, stride, pad, c, true, act, residual: false);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Layouts.Planar, inspect: s =>
            Assert.That(s.Dispatches.Select(d => d.Shader), Is.All.EqualTo(DepthwiseConvTiledKernel.Id.Shader)));
    }

    [Test]
    public void WithResidualAndNoBias()
    {
        var g = ConvGraphs.Conv(new TensorShape(10, 6, 5), 10, 3, 1, Padding.Symmetric(1), 10, false, Activation.Relu, residual: true);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Layouts.Planar);
    }

    [Test]
    public void WithResidualOnAnOddNumberOfRows()
    {
        // 7 output rows: three pairs and a last invocation whose second row is past the image.
        var g = ConvGraphs.Conv(new TensorShape(6, 7, 8), 6, 3, 1, Padding.Symmetric(1), 6, true, Activation.Relu6, residual: true);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Layouts.Planar);
    }

    [Test]
    public void WithResidualOnRowsOfWholeVec4s()
    {
        var g = ConvGraphs.Conv(new TensorShape(7, 6, 12), 7, 3, 1, Padding.Symmetric(1), 7, true, Activation.Relu6, residual: true);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Layouts.Planar);
    }

    [Test]
    public void ManyChannelsAreSplitAcrossWindows()
    {
        var g = ConvGraphs.Conv(new TensorShape(1500, 5, 6), 1500, 3, 1, Padding.Symmetric(1), 1500, true, Activation.None, residual: false);
        GpuVsCpu.Check(Device, g, 1, 1e-4, 1e-4, options: Layouts.Planar, inspect: s => Assert.That(s.Dispatches, Has.Count.EqualTo(2)));
    }
}
