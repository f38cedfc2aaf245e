using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/depthwise_conv_packed.comp (with the channel-packing pass on) against the CPU oracle: borders
/// on all sides, stride 2, 5x5, row tails shorter than the pixel tile, images narrower than it, filters larger
/// than a 64 KiB uniform window (read as texels: one dispatch), residuals, half-row groups of 10-14 pixels. Tolerance abs 1e-4 + rel 1e-4.</summary>
internal class DepthwiseConvPackedKernelTests : GpuTest
{
    [TestCase(4, 9, 7, 3, 1, Activation.Relu6, 2, TestName = "packed dw 3x3 s1, odd sizes, batch 2")]
    [TestCase(8, 15, 15, 3, 2, Activation.Relu, 1, TestName = "packed dw 3x3 s2 same pad, odd size")]
    [TestCase(12, 14, 14, 3, 2, Activation.None, 2, TestName = "packed dw 3x3 s2 even size")]
    [TestCase(8, 11, 8, 5, 1, Activation.Relu6, 1, TestName = "packed dw 5x5 s1")]
    [TestCase(12, 13, 13, 5, 2, Activation.Relu6, 2, TestName = "packed dw 5x5 s2")]
    [TestCase(4, 3, 2, 3, 1, Activation.None, 1, TestName = "packed dw 3x3 on a 3x2 image (narrower than the tile)")]
    [TestCase(4, 1, 9, 3, 1, Activation.Relu6, 2, TestName = "packed dw 3x3 s1 on a single row")]
    [TestCase(12, 7, 7, 5, 1, Activation.HardSwish, 2, TestName = "packed dw 5x5 s1 on 7x7 (a whole row per invocation), batch 2")]
    [TestCase(20, 6, 5, 3, 1, Activation.Relu, 1, TestName = "packed dw 3x3 s1 on 6x5 (5-pixel rows, 20 channels)")]
    [TestCase(8, 14, 13, 3, 2, Activation.None, 2, TestName = "packed dw 3x3 s2 to 7x7, batch 2")]
    [TestCase(12, 9, 14, 5, 1, Activation.HardSwish, 2, TestName = "packed dw 5x5 s1 on 14-wide rows (two groups of 7), batch 2")]
    [TestCase(20, 11, 27, 5, 2, Activation.Relu, 1, TestName = "packed dw 5x5 s2 to 14-wide rows (groups of 7), 20 channels")]
    [TestCase(8, 5, 19, 5, 1, Activation.Relu, 2, TestName = "packed dw 5x5 s1 on 19-wide rows (two groups of 10, the second one short), batch 2")]
    [TestCase(12, 4, 28, 3, 1, Activation.Relu6, 1, TestName = "packed dw 3x3 s1 on 28-wide rows (two groups of 14)")]
    [TestCase(8, 6, 45, 3, 2, Activation.LeakyRelu, 2, TestName = "packed dw 3x3 s2 to 23-wide rows (two groups of 12, the second one short), batch 2")]
    public void MatchesOracle(int c, int h, int w, int k, int stride, Activation act, int batch)
    {
        var pad = stride == 2 ? Padding.Same(h, w, k, k, 2, 2) : Padding.Symmetric(k / 2);
        var g = ConvGraphs.Conv(new TensorShape(c, h, w), c, k, stride, pad, c, true, act, residual: false);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
            Assert.That(s.Dispatches.Select(d => d.Shader),
                Is.EqualTo(new[] { LayoutConvertKernel.Id.Shader, DepthwiseConvPackedKernel.Id.Shader, LayoutConvertKernel.Id.Shader })));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void WithResidual(bool bias)
    {
        var g = ConvGraphs.Conv(new TensorShape(8, 7, 6), 8, 3, 1, Padding.Symmetric(1), 8, bias, Activation.Relu6, residual: true);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
        {
            var conv = s.Graph.Nodes.OfType<Conv2dOp>().Single(c => c.Residual is not null);
            Assert.That(conv.Residual!.Layout, Is.EqualTo(TensorLayout.Nc4hw4));
        });
    }

    [Test]
    public void ManyChannelsInOneDispatch()
    {
        // 10 vec4s per group of 4 channels: 500 groups are 80 KB of filters and bias, more than a uniform window holds.
        var g = ConvGraphs.Conv(new TensorShape(2000, 5, 6), 2000, 3, 1, Padding.Symmetric(1), 2000, true, Activation.None, residual: false);
        GpuVsCpu.Check(Device, g, 1, 1e-4, 1e-4, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
            Assert.That(s.Dispatches.Count(d => d.Shader == DepthwiseConvPackedKernel.Id.Shader), Is.EqualTo(1)));
    }

    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Fp16(Precision precision, double tolerance)
    {
        var g = ConvGraphs.Conv(new TensorShape(8, 9, 10), 8, 3, 2, Padding.Same(9, 10, 3, 3, 2, 2), 8, true, Activation.Relu6, residual: false);
        GpuVsCpu.Check(Device, g, 2, tolerance, tolerance, options: PointwiseConvPackedKernelTests.Packed with { Precision = precision });
    }

    [TestCase(7, 3, 7)]
    [TestCase(5, 5, 5)]
    [TestCase(1, 3, 1)]
    [TestCase(8, 5, 4)]
    [TestCase(14, 3, 4)]
    [TestCase(14, 5, 7)]
    [TestCase(28, 5, 7)]
    [TestCase(30, 5, 4)]
    [TestCase(112, 3, 4)]
    [TestCase(19, 3, 4)]
    [TestCase(20, 3, 10)]
    [TestCase(23, 3, 12)]
    [TestCase(28, 3, 14)]
    [TestCase(29, 3, 4)]
    [TestCase(15, 5, 8)]
    [TestCase(22, 5, 11)]
    [TestCase(23, 5, 4)]
    [TestCase(11, 5, 4)]
    public void PixelsPerInvocationFollowTheRowWidth(int outW, int kernelW, int pixels) =>
        Assert.That(DepthwiseConvPackedKernel.PixelsFor(outW, kernelW), Is.EqualTo(pixels));

    [Test]
    public void PackPutsEachTapsFourChannelsTogetherThenTheBiases()
    {
        // 4 channels, 1x2 taps: weights[c * 2 + t] = 10 * c + t, bias[c] = 100 + c.
        var op = new Conv2dOp("dw", new Value("x", new TensorShape(4, 3, 3)), new Value("y", new TensorShape(4, 3, 2)),
            1, 2, 1, 1, Padding.Zero, 4, [0, 1, 10, 11, 20, 21, 30, 31], [100, 101, 102, 103]);
        Assert.That(DepthwiseConvPackedKernel.Pack(op), Is.EqualTo(new float[] { 0, 10, 20, 30, 1, 11, 21, 31, 100, 101, 102, 103 }));
    }
}
