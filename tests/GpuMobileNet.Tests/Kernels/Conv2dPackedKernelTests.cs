using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/conv2d_packed.comp (channel packing on) against the CPU oracle on awkward shapes: odd planes (13x11,
/// 9x7), 4 / 8 / 12 / 20 channels (partial 16- and 12-channel tiles), kernels 1x3, 3x1, 3x3, 5x5, 7x7, strides 2 and 3,
/// dilation 2, asymmetric padding, 2 and 3 groups, batch 2, bias, activations, a fused residual, and filters far beyond
/// a 64 KiB uniform window (one dispatch). Each case checks that conv2d_packed ran, once, between the input's packing
/// and the output's unpacking. fp32 sums of up to 2304 products of O(1) values (He-scaled weights): abs 1e-4 + rel 1e-4.</summary>
internal class Conv2dPackedKernelTests : GpuTest
{
    // 3x3 stride-1 layers of whole quads would run as Winograd by default: Direct keeps them on the kernel under test.
    private static readonly SessionOptions Packed = PointwiseConvPackedKernelTests.Packed with { Kernels = new KernelChoice(Conv3x3: Conv3x3Algorithm.Direct) };

    // inC, H, W, outC, kernel h x w, stride h x w, padding (top, left, bottom, right), dilation, groups, batch, activation
    [TestCase(4, 13, 11, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, Activation.None, TestName = "3x3 s1 4->8 13x11 batch 2")]
    [TestCase(8, 13, 11, 20, 3, 3, 2, 2, 0, 1, 1, 0, 1, 1, 1, Activation.Relu, TestName = "3x3 s2 8->20 asymmetric pad")]
    [TestCase(20, 9, 7, 12, 5, 5, 1, 1, 4, 3, 2, 4, 2, 1, 2, Activation.Relu6, TestName = "5x5 dilation 2 20->12 batch 2")]
    [TestCase(12, 13, 11, 16, 1, 3, 3, 3, 0, 1, 2, 1, 1, 1, 1, Activation.None, TestName = "1x3 s3 12->16")]
    [TestCase(8, 11, 13, 4, 3, 1, 2, 1, 1, 0, 0, 0, 1, 1, 1, Activation.Relu, TestName = "3x1 s2x1 8->4")]
    [TestCase(4, 23, 21, 8, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, Activation.Relu, TestName = "7x7 s2 4->8 (a stem on packed input)")]
    [TestCase(8, 13, 11, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2, 2, Activation.Relu, TestName = "3x3 groups 2 (4 per group) batch 2")]
    [TestCase(24, 9, 7, 36, 3, 3, 2, 2, 1, 1, 1, 1, 2, 3, 1, Activation.HardSwish, TestName = "3x3 s2 d2 groups 3 (8->12 per group) h-swish")]
    [TestCase(32, 15, 15, 64, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 2, Activation.None, TestName = "1x1 s2 32->64 (ResNet's downsample) batch 2")]
    [TestCase(256, 7, 5, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.Relu, TestName = "3x3 256->256: 2.4 MB of filters, one dispatch")]
    public void MatchesOracle(int inC, int h, int w, int outC, int kh, int kw, int sh, int sw, int padT, int padL, int padB, int padR,
        int dilation, int groups, int batch, Activation act)
    {
        var b = new GraphBuilder("conv", new TensorShape(inC, h, w));
        var y = Conv(b, b.Input, outC, kh, kw, sh, sw, new Padding(padT, padL, padB, padR), dilation, groups, act, seed: 1);
        GpuVsCpu.Check(Device, b.Build(y), batch, 1e-4, 1e-4, options: Packed, inspect: AssertOnePackedConv);
    }

    /// <summary>A residual add after the conv is fused into it (the kernel's own residual read), with the activation after it.</summary>
    [TestCase(8, 13, 11, 3, 1, Activation.Relu)]
    [TestCase(64, 14, 14, 3, 1, Activation.Relu)]
    [TestCase(12, 9, 7, 5, 3, Activation.None)]
    public void FusedResidual(int c, int h, int w, int kernel, int groups, Activation act)
    {
        var b = new GraphBuilder("residual", new TensorShape(c, h, w));
        var y = Conv(b, b.Input, c, kernel, kernel, 1, 1, Padding.Symmetric(kernel / 2), 1, groups, Activation.None, seed: 3);
        var g = b.Build(b.Add("add", y, b.Input, act));
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Packed, inspect: AssertOnePackedConv);
    }

    /// <summary>The per-layer tiling of the packed 1x1 kernels (<see cref="PackedPointwiseTiling"/>) with the group's input
    /// channels x taps as the reduction: ResNet's 7x7 stage (here 64 -> 64, 3x3, on a 7x7 plane) takes fewer than the 64
    /// pixel slots of 8 pixels x 8 lanes, and the kernel runs that tiling as the oracle computes.</summary>
    [Test]
    public void SmallPlanesTakeTheModelledTiling()
    {
        var b = new GraphBuilder("small_plane", new TensorShape(64, 7, 7));
        var y = Conv(b, b.Input, 64, 3, 3, 1, 1, Padding.Symmetric(1), 1, 1, Activation.Relu, seed: 7);
        GpuVsCpu.Check(Device, b.Build(y), 2, 1e-4, 1e-4, options: Packed, inspect: s =>
        {
            AssertOnePackedConv(s);
            var spec = (Conv2dPackedConstants)s.Dispatches[1].Constants;
            var modelled = PackedPointwiseTiling.For(64 * 9, 64, 1, Activation.Relu, 49);
            Assert.That((spec.OcTile, spec.Px, spec.LocalSize), Is.EqualTo((modelled.OcTile, modelled.Px, modelled.LocalSize)));
            Assert.That(modelled.GroupsX(49) * modelled.PixelsPerGroup, Is.LessThan(64), modelled.ToString());
        });
    }

    /// <summary>Groups whose channel counts are not multiples of 4 keep the planar kernels (and still agree).</summary>
    [Test]
    public void RaggedGroupsStayPlanar()
    {
        var b = new GraphBuilder("ragged", new TensorShape(12, 9, 7));
        var y = Conv(b, b.Input, 12, 3, 3, 1, 1, Padding.Symmetric(1), 1, 2, Activation.Relu, seed: 5);
        GpuVsCpu.Check(Device, b.Build(y), 1, 1e-4, 1e-4, options: Packed,
            inspect: s => Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(Conv2dPackedKernel.Id.Shader)));
    }

    /// <summary>fp16 storage and fp16 arithmetic (partial sums folded into fp32 every 32 input channels) on a 576-product
    /// reduction; outputs O(1).</summary>
    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Fp16(Precision precision, double tolerance)
    {
        var b = new GraphBuilder("fp16", new TensorShape(64, 9, 11));
        var y = Conv(b, b.Input, 20, 3, 3, 2, 2, new Padding(1, 0, 1, 1), 1, 1, Activation.Relu, seed: 9);
        GpuVsCpu.Check(Device, b.Build(y), 2, tolerance, tolerance, options: Packed with { Precision = precision }, inspect: AssertOnePackedConv);
    }

    private static void AssertOnePackedConv(InferenceSession s)
    {
        var shaders = s.Dispatches.Select(d => d.Shader).ToList();
        Assert.That(shaders, Is.EqualTo(new[] { LayoutConvertKernel.Id.Shader, Conv2dPackedKernel.Id.Shader, LayoutConvertKernel.Id.Shader }),
            "packed in, one conv2d_packed dispatch, unpacked out");
    }

    /// <summary>A convolution with He-scaled random weights (values stay O(1) whatever the reduction length) and a bias.</summary>
    private static Value Conv(GraphBuilder b, Value x, int outC, int kh, int kw, int sh, int sw, Padding pad, int dilation, int groups,
        Activation act, int seed)
    {
        int fanIn = x.Shape.C / groups * kh * kw;
        var weights = GpuVsCpu.RandomArray(outC * fanIn, seed, (float)Math.Sqrt(3.0 / fanIn));
        return b.Conv2d("conv", x, outC, kh, kw, sh, sw, pad, groups, weights, GpuVsCpu.RandomArray(outC, seed + 1), act, dilation, dilation);
    }
}
