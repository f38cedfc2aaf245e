using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/pointwise_conv_packed.comp (with the channel-packing pass on) against the CPU oracle: pixel
/// counts not a multiple of the pixel tile, output channels not a multiple of the 16-channel tile, layers whose
/// weights are far beyond a 64 KiB uniform window (read as texels: still one dispatch), residuals, batches.
/// Tolerance abs 1e-4 + rel 1e-4.</summary>
internal class PointwiseConvPackedKernelTests : GpuTest
{
    internal static readonly SessionOptions Packed = new() { Passes = new PassOptions { PackChannels = true } };

    [TestCase(4, 4, 2, 1, Activation.None, 1, TestName = "packed pw 4->4 2x1 spatial")]
    [TestCase(8, 20, 7, 7, Activation.None, 2, TestName = "packed pw 8->20 7x7 batch 2: partial channel tile")]
    [TestCase(12, 36, 9, 11, Activation.Relu6, 1, TestName = "packed pw 12->36 9x11")]
    [TestCase(24, 144, 28, 28, Activation.Relu6, 1, TestName = "packed pw 24->144 28x28")]
    [TestCase(320, 1280, 7, 7, Activation.Relu6, 1, TestName = "packed pw 320->1280 7x7: 1.6 MB of weights")]
    [TestCase(1024, 20, 3, 5, Activation.Relu, 2, TestName = "packed pw 1024->20 batch 2: long reduction, partial tile")]
    [TestCase(40, 240, 9, 9, Activation.HardSwish, 1, TestName = "packed pw 40->240 9x9 h-swish: 12-channel tile")]
    [TestCase(24, 44, 3, 5, Activation.HardSigmoid, 2, TestName = "packed pw 24->44 3x5 h-sigmoid batch 2: partial 12-channel tile")]
    public void MatchesOracle(int inC, int outC, int h, int w, Activation act, int batch)
    {
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 1, 1, Padding.Zero, 1, true, act, residual: false);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Packed, inspect: s =>
        {
            var shaders = s.Dispatches.Select(d => d.Shader).ToList();
            Assert.That(shaders[0], Is.EqualTo(LayoutConvertKernel.Id.Shader));
            Assert.That(shaders[^1], Is.EqualTo(LayoutConvertKernel.Id.Shader));
            Assert.That(shaders.Skip(1).SkipLast(1), Is.All.EqualTo(PointwiseConvPackedKernel.Id.Shader));
            Assert.That(shaders, Has.Count.EqualTo(3), "one dispatch for the layer");
        });
    }

    [TestCase(12, 20, 7, 5, 1, 1, 1, 1, 2, false, TestName = "padded packed pw 12->20 7x5 pad 1, batch 2 (SqueezeNet's conv10)")]
    [TestCase(8, 16, 6, 9, 0, 2, 1, 0, 1, true, TestName = "padded packed pw 8->16 6x9 pad (0,2,1,0) with residual")]
    public void PaddedRunsOnPadThenPackedPointwise(int inC, int outC, int h, int w, int top, int left, int bottom, int right, int batch, bool residual) =>
        CheckPadded(ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 1, 1, new Padding(top, left, bottom, right), 1, true, Activation.Relu, residual),
            batch, 1e-4, Packed);

    [TestCase(Precision.Float16Storage, 3e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void PaddedFp16(Precision precision, double tolerance) =>
        CheckPadded(ConvGraphs.Conv(new TensorShape(16, 5, 6), 24, 1, 1, Padding.Symmetric(1), 1, true, Activation.Relu, residual: false),
            2, tolerance, Packed with { Precision = precision });

    // Each padded layer (the residual case has two) is the pad into its scratch then the packed 1x1, not conv2d_packed.
    private void CheckPadded(ModelGraph g, int batch, double tolerance, SessionOptions options) =>
        GpuVsCpu.Check(Device, g, batch, tolerance, tolerance, options: options, inspect: s =>
        {
            var layer = s.Dispatches.Where(d => d.Shader != LayoutConvertKernel.Id.Shader).ToList();
            Assert.That(layer.Select(d => d.Shader).Chunk(2), Is.All.EqualTo(new[] { PadKernel.Id.Shader, PointwiseConvPackedKernel.Id.Shader }));
            Assert.That((bool)((PadConstants)layer[0].Constants).Packed, Is.True);
        });

    [TestCase(64, Activation.Relu6, 16)]
    [TestCase(24, Activation.None, 12)]
    [TestCase(200, Activation.Relu, 8)]
    [TestCase(240, Activation.HardSwish, 12)]
    [TestCase(64, Activation.HardSigmoid, 8)]
    [TestCase(36, Activation.Sigmoid, 12)]
    public void TileLeavesOutSixteenForLongActivations(int outC, Activation act, int expected) =>
        Assert.That(PointwiseConvPackedKernel.TileFor(outC, act), Is.EqualTo(expected));

    [TestCase(16, 16, 5, 7, Activation.None, true)]
    [TestCase(40, 36, 3, 3, Activation.Relu, false)]
    public void WithResidual(int inC, int outC, int h, int w, Activation act, bool bias)
    {
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 1, 1, Padding.Zero, 1, bias, act, residual: true);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Packed, inspect: s =>
            Assert.That(s.Dispatches.Count(d => d.Shader == PointwiseConvPackedKernel.Id.Shader), Is.EqualTo(2), "the conv and the one making its residual"));
    }

    [TestCase(960, 160, Activation.Relu6, TestName = "packed pw 960->160 7x7, residual, relu6")]
    [TestCase(580, 96, Activation.None, TestName = "packed pw 580->96 7x7, residual")]
    public void LongReductionWithResidual(int inC, int outC, Activation act)
    {
        var g = ConvGraphs.Conv(new TensorShape(inC, 7, 7), outC, 1, 1, Padding.Zero, 1, true, act, residual: true);
        GpuVsCpu.Check(Device, g, 1, 1e-4, 1e-4, options: Packed);
    }

    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Fp16(Precision precision, double tolerance)
    {
        // 64 input channels: the fp16-arithmetic build folds its partial sums into fp32 twice.
        var g = ConvGraphs.Conv(new TensorShape(64, 5, 6), 24, 1, 1, Padding.Zero, 1, true, Activation.Relu6, residual: true);
        GpuVsCpu.Check(Device, g, 2, tolerance, tolerance, options: Packed with { Precision = precision });
    }
}
