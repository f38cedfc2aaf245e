using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/conv2d_tiled.comp (uniform-window weights, 4 px x 16 channels per invocation) against the CPU oracle. Tolerance: fp32 sums of at most a few hundred
/// O(1) terms, abs 1e-4 + rel 1e-4.</summary>
internal class Conv2dTiledKernelTests : GpuTest
{
    /// <summary>Channel packing off: on a CPU device it is on by default, and a convolution whose channels are whole quads
    /// then runs packed (conv2d_packed).</summary>
    private static readonly SessionOptions Planar = new() { Passes = new GpuMobileNet.Passes.PassOptions { PackChannels = false } };

    private static void UsesTiledKernel(InferenceSession s) =>
        Assert.That(s.Dispatches.Select(d => d.Shader), Has.Some.EqualTo(Conv2dTiledKernel.Id.Shader));

    [TestCase(3, 17, 13, 8, 2, true, Activation.Relu6, 2, TestName = "tiled stem 3x3 s2 same pad, odd sizes, batch 2")]
    [TestCase(3, 224 / 8, 224 / 8, 32, 2, false, Activation.None, 1, TestName = "tiled stem 3x3 s2 no bias")]
    [TestCase(5, 9, 11, 7, 1, true, Activation.Relu, 2, TestName = "tiled 3x3 s1, channels not multiple of 4")]
    public void MatchesOracle(int inC, int h, int w, int outC, int stride, bool bias, Activation act, int batch)
    {
        var pad = stride == 2 ? Padding.Same(h, w, 3, 3, 2, 2) : Padding.Symmetric(1);
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 3, stride, pad, 1, bias, act, residual: false);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, inspect: UsesTiledKernel);
    }

    [TestCase(3, 12, 16, 16, 5, 1, 2, TestName = "tiled 5x5 s1 pad 2, rows read as texels (first column 2 into its texel)")]
    [TestCase(4, 15, 20, 8, 3, 2, 1, TestName = "tiled 3x3 s2 pad 1, rows read as texels (first column 3 into its texel)")]
    [TestCase(3, 9, 8, 12, 3, 2, 0, TestName = "tiled 3x3 s2 no left pad, rows read as texels, bottom rows outside")]
    public void RowsReadAsTexels(int inC, int h, int w, int outC, int k, int stride, int pad)
    {
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, k, stride, new Padding(pad, pad, pad + 1, pad), 1, true, Activation.Relu6, residual: false);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Planar, inspect: UsesTiledKernel);
    }

    [TestCase(24, 8, 8, TestName = "tile for 24 channels: 8 x 8 (16 would pad to 32)")]
    [TestCase(20, 8, 8, TestName = "tile for 20 channels: 8 x 8")]
    [TestCase(16, 16, 4, TestName = "tile for 16 channels: 16 x 4")]
    [TestCase(32, 16, 4, TestName = "tile for 32 channels: 16 x 4")]
    [TestCase(12, 16, 4, TestName = "tile for 12 channels: 16 x 4 (8 pads as many)")]
    public void TileFollowsTheChannelCount(int outC, int tile, int pixels) =>
        Assert.That(Conv2dTiledKernel.TileFor(outC), Is.EqualTo((tile, pixels)));

    [TestCase(3, 21, 19, 1, TestName = "tiled stem 24 ch (8 x 8 tile), 3x3 s2, NC4HW4 output, odd sizes")]
    [TestCase(3, 18, 29, 2, TestName = "tiled stem 24 ch (8 x 8 tile), NC4HW4 output, row tail, batch 2")]
    public void PackedStemOfTwentyFourChannels(int inC, int h, int w, int batch)
    {
        // The ShuffleNets' start: the stem writes NC4HW4 for the packed max pool and 1x1 after it.
        var b = new GraphBuilder("stem24", new TensorShape(inC, h, w));
        var stem = b.Conv2d("stem", b.Input, 24, 3, 2, Padding.Symmetric(1), 1, GpuVsCpu.RandomArray(24 * inC * 9, 7), GpuVsCpu.RandomArray(24, 8), Activation.Relu);
        var pool = b.MaxPool("pool", stem, 3, 3, 2, 2, Padding.Symmetric(1));
        var pw = b.Conv2d("pw", pool, 24, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(24 * 24, 9), null);
        GpuVsCpu.Check(Device, b.Build(pw), batch, 1e-4, 1e-4, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
        {
            UsesTiledKernel(s);
            Assert.That(s.Graph.Nodes.OfType<Conv2dOp>().Single(c => c.Name == "stem").Output.Layout, Is.EqualTo(TensorLayout.Nc4hw4));
        });
    }

    [Test]
    public void UngroupedConvWithResidual()
    {
        var g = ConvGraphs.Conv(new TensorShape(6, 7, 9), 20, 3, 1, Padding.Symmetric(1), 1, true, Activation.Relu, residual: true);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, inspect: UsesTiledKernel);
    }

    [Test]
    public void FiveByFiveStrideTwoAsymmetricPadding()
    {
        var g = ConvGraphs.Conv(new TensorShape(3, 12, 10), 6, 5, 2, new Padding(1, 2, 2, 1), 1, true, Activation.None, residual: false);
        GpuVsCpu.Check(Device, g, 1, 1e-4, 1e-4, inspect: UsesTiledKernel);
    }

    [Test]
    public void WideInputSplitsAcrossUniformWindows()
    {
        // 64 inputs x 3x3 taps x 16 channels = 9216 floats per block: one block per 64 KiB window, 3 dispatches.
        // Planar (packed,, a 3x3 stride-1 convolution of whole channel quads would run as Winograd).
        var g = ConvGraphs.Conv(new TensorShape(64, 6, 7), 48, 3, 1, Padding.Symmetric(1), 1, true, Activation.Relu6, residual: false);
        GpuVsCpu.Check(Device, g, 1, 1e-4, 1e-4, options: Planar, inspect: s =>
        {
            Assert.That(s.Dispatches.Select(d => d.Shader), Is.All.EqualTo(Conv2dTiledKernel.Id.Shader));
            Assert.That(s.Dispatches, Has.Count.EqualTo(3));
        });
    }

    [TestCase(3, 17, 13, 8, 2, 2, TestName = "tiled stem writing NC4HW4 for a packed depthwise, 3x3 s2, odd sizes, batch 2")]
    // 63 inputs: not whole quads, so the input stays planar and the tiled kernel (not conv2d_packed) runs the conv.
    [TestCase(63, 6, 7, 40, 1, 1, TestName = "tiled conv writing NC4HW4 from 3 dispatches, partial last block")]
    public void WritesChannelPackedWhenOnlyPackedConvsReadIt(int inC, int h, int w, int outC, int stride, int batch)
    {
        var b = new GraphBuilder("stem_dw", new TensorShape(inC, h, w));
        var pad = stride == 2 ? Padding.Same(h, w, 3, 3, 2, 2) : Padding.Symmetric(1);
        var stem = b.Conv2d("stem", b.Input, outC, 3, stride, pad, 1, TestData.Uniform(1, outC * inC * 9), TestData.Uniform(2, outC), Activation.Relu6);
        var dw = b.Conv2d("dw", stem, outC, 3, 1, Padding.Symmetric(1), outC, TestData.Uniform(3, outC * 9), TestData.Uniform(4, outC));
        GpuVsCpu.Check(Device, b.Build(dw), batch, 1e-4, 1e-4, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
        {
            Assert.That(s.Graph.Nodes.OfType<Conv2dOp>().First().Output.Layout, Is.EqualTo(TensorLayout.Nc4hw4));
            Assert.That(s.Dispatches.Select(d => d.Shader).Distinct(),
                Is.EqualTo(new[] { Conv2dTiledKernel.Id.Shader, DepthwiseConvPackedKernel.Id.Shader, LayoutConvertKernel.Id.Shader }),
                "no conversion between the stem and the depthwise conv; the output is unpacked at the end");
        });
    }
}
