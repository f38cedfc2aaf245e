using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>The oracle cases every kernel of conv2d_packed's convolutions runs (<see cref="Conv2dPackedKernelTests"/>,
/// <see cref="Conv2dSharedKernelTests"/>): odd planes (13x11, 9x7), 4 / 8 / 12 / 20 channels, kernels 1x3, 3x1, 3x3,
/// 5x5, 7x7 and up to 19x19, strides 2 and 3, dilation 2, asymmetric padding, 2 and 3 groups, batch 2, bias,
/// activations, a fused residual, filters far beyond a 64 KiB uniform window (one dispatch), channel counts that are
/// not whole quads (read or written planar), fp16. Each case checks that the fixture's kernel ran, once, between the
/// input's packing and the output's unpacking, or in the layouts it should. fp32 sums of up to 2304 products of O(1)
/// values (He-scaled weights): abs 1e-4 + rel 1e-4.</summary>
internal abstract class DenseConvTests : GpuTest
{
    /// <summary>The options that put these convolutions on the kernel under test.</summary>
    protected abstract SessionOptions Options { get; }

    /// <summary>The kernel under test.</summary>
    protected abstract KernelId Kernel { get; }

    /// <summary>Fails unless the kernel under test ran layer "conv" reading and writing the layouts given.</summary>
    protected abstract void AssertLayouts(InferenceSession s, bool inPlanar, bool outPlanar);

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
    [TestCase(256, 7, 5, 68, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, Activation.Relu, TestName = "3x3 256->68: 627 KB of filters, one dispatch")]
    public void MatchesOracle(int inC, int h, int w, int outC, int kh, int kw, int sh, int sw, int padT, int padL, int padB, int padR,
        int dilation, int groups, int batch, Activation act)
    {
        var b = new GraphBuilder("conv", new TensorShape(inC, h, w));
        var y = Conv(b, b.Input, outC, kh, kw, sh, sw, new Padding(padT, padL, padB, padR), dilation, groups, act, seed: 1);
        GpuVsCpu.Check(Device, b.Build(y), batch, 1e-4, 1e-4, options: Options, inspect: AssertOneConv);
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
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Options, inspect: AssertOneConv);
    }

    /// <summary>Channel counts that are not whole quads run on the kernel under test (conv2d_packed pads them to quads, zero
    /// weights), never on the naive conv2d: an input that is not (3 or 10 channels) is read planar, with filters past conv2d_tiled's 64 KiB
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
        var x = packedIn ? Conv(b, b.Input, inC, 1, 1, 1, 1, Padding.Zero, 1, 1, Activation.Relu, seed: 2, name: "pack") : b.Input;
        var y = Conv(b, x, outC, kernel, kernel, stride, stride, Padding.Symmetric(pad), 1, groups, act, seed: 5);
        if (packedReader) y = Conv(b, y, 8, 1, 1, 1, 1, Padding.Zero, 1, 1, Activation.None, seed: 7, name: "reader");
        GpuVsCpu.Check(Device, b.Build(y), 2, 1e-4, 1e-4, options: Options, inspect: s => AssertLayouts(s, inPlanar, outPlanar));
    }

    /// <summary>A residual fused into a convolution whose channels are not whole quads: read planar, like its output.</summary>
    [Test]
    public void PlanarResidual()
    {
        var b = new GraphBuilder("residual", new TensorShape(6, 13, 11));
        var y = Conv(b, b.Input, 6, 15, 15, 1, 1, Padding.Symmetric(7), 1, 1, Activation.None, seed: 3);
        GpuVsCpu.Check(Device, b.Build(b.Add("add", y, b.Input, Activation.Relu)), 2, 1e-4, 1e-4, options: Options,
            inspect: s => AssertLayouts(s, inPlanar: true, outPlanar: true));
    }

    /// <summary>fp16 storage and fp16 arithmetic (partial sums folded into fp32 every 32 input channels or rows) on a 576-product
    /// reduction; outputs O(1).</summary>
    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Fp16(Precision precision, double tolerance)
    {
        var b = new GraphBuilder("fp16", new TensorShape(64, 9, 11));
        var y = Conv(b, b.Input, 20, 3, 3, 2, 2, new Padding(1, 0, 1, 1), 1, 1, Activation.Relu, seed: 9);
        GpuVsCpu.Check(Device, b.Build(y), 2, tolerance, tolerance, options: Options with { Precision = precision }, inspect: AssertOneConv);
    }

    /// <summary>The planar reads and writes in fp16 storage and arithmetic: 10 input channels (read planar, 2 of the 3
    /// quads' padding) to 21 (written planar).</summary>
    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Fp16NotWholeQuads(Precision precision, double tolerance)
    {
        var b = new GraphBuilder("fp16_ragged", new TensorShape(10, 9, 11));
        var y = Conv(b, b.Input, 21, 13, 13, 1, 1, Padding.Symmetric(6), 1, 1, Activation.Relu, seed: 9);
        GpuVsCpu.Check(Device, b.Build(y), 2, tolerance, tolerance, options: Options with { Precision = precision },
            inspect: s => AssertLayouts(s, inPlanar: true, outPlanar: true));
    }

    private void AssertOneConv(InferenceSession s)
    {
        AssertLayouts(s, inPlanar: false, outPlanar: false);
        Assert.That(s.Dispatches.Select(d => d.Shader), Is.EqualTo(new[] { LayoutConvertKernel.Id.Shader, Kernel.Shader, LayoutConvertKernel.Id.Shader }),
            "packed in, one dispatch of the kernel under test, unpacked out");
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
