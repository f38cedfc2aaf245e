using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/conv2d_packed.comp (channel packing on) against the CPU oracle on awkward shapes: odd planes (13x11,
/// 9x7), 4 / 8 / 12 / 20 channels (partial 16- and 12-channel tiles), kernels 1x3, 3x1, 3x3, 5x5, 7x7, strides 2 and 3,
/// dilation 2, asymmetric padding, 2 and 3 groups, batch 2, bias, activations, a fused residual, and filters far beyond
/// a 64 KiB uniform window (one dispatch), channel counts that are not whole quads (read or written planar). Each case
/// checks that conv2d_packed ran, once, between the input's packing and the output's unpacking, or in the layouts it
/// should. fp32 sums of up to 2304 products of O(1) values (He-scaled weights): abs 1e-4 + rel 1e-4.</summary>
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

    /// <summary>A convolution whose output channels are not whole quads reading a packed input (SSD's 126-channel class
    /// heads, YOLO's 255-channel ones, 21 and 6 channels) writes its output padded to whole quads (zero filters) on the
    /// packed kernels, Winograd for 3x3 stride 1, and one layout conversion drops the padding for its planar readers.</summary>
    [TestCase(32, 18, 18, 126, 3, 1, 1, Activation.None, "winograd", TestName = "3x3 32->126 on Winograd (SSD's class head)")]
    [TestCase(12, 13, 11, 21, 3, 2, 0, Activation.Sigmoid, "conv2d_packed", TestName = "3x3 s2 12->21 on conv2d_packed")]
    [TestCase(24, 9, 7, 255, 1, 1, 0, Activation.LeakyRelu, "pointwise", TestName = "1x1 24->255 on the packed 1x1 (YOLO's head)")]
    [TestCase(24, 9, 7, 6, 1, 1, 0, Activation.None, "pointwise", TestName = "1x1 24->6 on the packed 1x1")]
    public void OutputPaddedToWholeQuads(int inC, int h, int w, int outC, int kernel, int stride, int pad, Activation act, string kernelName)
    {
        var b = new GraphBuilder("padded", new TensorShape(16, h, w));
        var x = Conv(b, b.Input, inC, 1, 1, 1, 1, Padding.Symmetric(0), 1, 1, Activation.Relu, seed: 2, name: "pack");
        var y = Conv(b, x, outC, kernel, kernel, stride, stride, Padding.Symmetric(pad), 1, 1, act, seed: 5);
        KernelId id = kernelName switch { "winograd" => WinogradConvKernel.InputId, "pointwise" => PointwiseConvPackedKernel.Id, _ => Conv2dPackedKernel.Id };
        var options = Packed with { Kernels = new KernelChoice(Conv3x3: Conv3x3Algorithm.WinogradF2) };
        GpuVsCpu.Check(Device, b.Build(y), 2, 1e-4, 1e-4, options: options, inspect: s =>
        {
            Ran.Kernel(s, id, kernelName == "winograd" ? null : "conv"); // Winograd's dispatches are "conv (winograd input)" and so on
            var conv = s.Graph.Nodes.OfType<Conv2dOp>().Single(c => c.Name == "conv");
            Assert.That((conv.Output.Shape.C, conv.Output.Layout), Is.EqualTo(((outC + 3) / 4 * 4, TensorLayout.Nc4hw4)), "padded, packed");
            Assert.That(s.Graph.Nodes.OfType<LayoutConvertOp>().Where(l => l.DropsPadding).Select(l => l.Input), Is.EqualTo(new[] { conv.Output }));
            Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(Conv2dKernel.Id.Shader));
        });
    }

    /// <summary>Channel counts that are not whole quads run on conv2d_packed padded to quads (zero weights), never on the
    /// naive conv2d: an input that is not (3 or 10 channels) is read planar, with filters past conv2d_tiled's 64 KiB
    /// window, writing packed where a packed 1x1 reads it and planar for the graph's output; groups of 6 output channels
    /// are written planar from a packed input.</summary>
    // inC, H, W, outC, kernel, stride, pad, groups, packed input first, packed reader after, activation, InPlanar, OutPlanar
    [TestCase(24, 9, 7, 18, 3, 1, 1, 3, true, false, Activation.Relu6, false, true, TestName = "3x3 groups 3 (8->6 per group) planar out")]
    [TestCase(10, 23, 21, 16, 11, 2, 5, 1, false, true, Activation.Relu, true, false, TestName = "11x11 s2 10->16 planar in, packed out")]
    [TestCase(3, 17, 19, 6, 19, 1, 9, 1, false, false, Activation.None, true, true, TestName = "19x19 3->6 planar in and out")]
    public void ChannelsNotWholeQuads(int inC, int h, int w, int outC, int kernel, int stride, int pad, int groups, bool packedIn,
        bool packedReader, Activation act, bool inPlanar, bool outPlanar)
    {
        var b = new GraphBuilder("ragged", new TensorShape(packedIn ? 16 : inC, h, w));
        var x = packedIn ? Conv(b, b.Input, inC, 1, 1, 1, 1, Padding.Symmetric(0), 1, 1, Activation.Relu, seed: 2, name: "pack") : b.Input;
        var y = Conv(b, x, outC, kernel, kernel, stride, stride, Padding.Symmetric(pad), 1, groups, act, seed: 5);
        if (packedReader) y = Conv(b, y, 8, 1, 1, 1, 1, Padding.Symmetric(0), 1, 1, Activation.None, seed: 7, name: "reader");
        GpuVsCpu.Check(Device, b.Build(y), 2, 1e-4, 1e-4, options: Packed, inspect: s => AssertPackedConv(s, inPlanar, outPlanar));
    }

    /// <summary>A residual fused into a convolution whose channels are not whole quads: read planar, like its output.</summary>
    [Test]
    public void PlanarResidual()
    {
        var b = new GraphBuilder("residual", new TensorShape(6, 13, 11));
        var y = Conv(b, b.Input, 6, 15, 15, 1, 1, Padding.Symmetric(7), 1, 1, Activation.None, seed: 3);
        GpuVsCpu.Check(Device, b.Build(b.Add("add", y, b.Input, Activation.Relu)), 2, 1e-4, 1e-4, options: Packed,
            inspect: s => AssertPackedConv(s, inPlanar: true, outPlanar: true));
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

    /// <summary>The planar reads and writes in fp16 storage and arithmetic: 10 input channels (read planar, 2 of the 3
    /// quads' padding) to 21 (written planar).</summary>
    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Fp16NotWholeQuads(Precision precision, double tolerance)
    {
        var b = new GraphBuilder("fp16_ragged", new TensorShape(10, 9, 11));
        var y = Conv(b, b.Input, 21, 13, 13, 1, 1, Padding.Symmetric(6), 1, 1, Activation.Relu, seed: 9);
        GpuVsCpu.Check(Device, b.Build(y), 2, tolerance, tolerance, options: Packed with { Precision = precision },
            inspect: s => AssertPackedConv(s, inPlanar: true, outPlanar: true));
    }

    private static void AssertPackedConv(InferenceSession s, bool inPlanar, bool outPlanar)
    {
        Ran.Kernel(s, Conv2dPackedKernel.Id, "conv");
        var spec = (Conv2dPackedConstants)s.Dispatches.Single(d => d.Label == "conv").Constants;
        Assert.That(((bool)spec.InPlanar, (bool)spec.OutPlanar), Is.EqualTo((inPlanar, outPlanar)), "planar input, planar output");
        Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(Conv2dKernel.Id.Shader));
    }

    private static void AssertOnePackedConv(InferenceSession s)
    {
        var shaders = s.Dispatches.Select(d => d.Shader).ToList();
        Assert.That(shaders, Is.EqualTo(new[] { LayoutConvertKernel.Id.Shader, Conv2dPackedKernel.Id.Shader, LayoutConvertKernel.Id.Shader }),
            "packed in, one conv2d_packed dispatch, unpacked out");
    }

    /// <summary>A convolution with He-scaled random weights (values stay O(1) whatever the reduction length) and a bias.</summary>
    internal static Value Conv(GraphBuilder b, Value x, int outC, int kh, int kw, int sh, int sw, Padding pad, int dilation, int groups,
        Activation act, int seed, string name = "conv")
    {
        int fanIn = x.Shape.C / groups * kh * kw;
        var weights = GpuVsCpu.RandomArray(outC * fanIn, seed, (float)Math.Sqrt(3.0 / fanIn));
        return b.Conv2d(name, x, outC, kh, kw, sh, sw, pad, groups, weights, GpuVsCpu.RandomArray(outC, seed + 1), act, dilation, dilation);
    }
}
