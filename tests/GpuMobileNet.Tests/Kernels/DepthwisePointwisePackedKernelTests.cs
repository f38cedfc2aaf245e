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

/// <summary>shaders/depthwise_pointwise_packed.comp (a packed depthwise convolution and the 1x1 that alone reads it, one
/// dispatch) against the unfused CPU oracle: 3x3 and 5x5, stride 1 and 2, row tails shorter than the pixel tile, maps
/// narrower than it, non-square maps, channel counts off the quads, two blocks of output channels, a residual, long
/// activations on both parts, batch 2, fp16; and the pass's decision. Tolerance abs 1e-4 + rel 1e-4 (fp32).</summary>
[OracleTestFor(typeof(DepthwisePointwiseOp))]
internal class DepthwisePointwisePackedKernelTests : GpuTest
{
    private static readonly SessionOptions Packed = PointwiseConvPackedKernelTests.Packed;

    /// <summary>The passes as a session on lavapipe runs them (no planar block fusion), the fusion forced on.</summary>
    private static readonly PassOptions OnCpu = Packed.Passes.ResolveFor(cpuDevice: true) with { FusePackedDepthwisePointwise = true };

    /// <summary>Depthwise (bias, <paramref name="dwAct"/>) → 1x1 to <paramref name="outC"/> (bias, <paramref name="act"/>),
    /// with the input added as a residual where <paramref name="residual"/>.</summary>
    internal static ModelGraph Pair(int c, int h, int w, int k, int stride, int outC, Activation dwAct, Activation act,
        bool residual = false, int seed = 1)
    {
        var b = new GraphBuilder($"dwpw_{c}x{h}x{w}_k{k}_s{stride}_{outC}", new TensorShape(c, h, w));
        var pad = stride == 2 ? Padding.Same(h, w, k, k, 2, 2) : Padding.Symmetric(k / 2);
        var d = b.Conv2d("dw", b.Input, c, k, stride, pad, c, GpuVsCpu.RandomArray(c * k * k, seed, (float)Math.Sqrt(3.0 / (k * k))),
            GpuVsCpu.RandomArray(c, seed + 1, 0.1f), dwAct);
        var y = b.Conv2d("pw", d, outC, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * outC, seed + 2, (float)Math.Sqrt(3.0 / c)),
            GpuVsCpu.RandomArray(outC, seed + 3, 0.1f), residual ? Activation.None : act);
        return b.Build(residual ? b.Add("add", y, b.Input, act) : y);
    }

    private static void RanFused(InferenceSession s)
    {
        Assert.That(s.Graph.Nodes.OfType<DepthwisePointwiseOp>(), Has.Exactly(1).Items, "the pass fused the pair");
        var shaders = s.Dispatches.Select(d => d.Shader).ToList();
        Assert.That(shaders, Has.Exactly(1).EqualTo(DepthwisePointwisePackedKernel.Id.Shader));
        Assert.That(shaders, Has.None.EqualTo(DepthwiseConvPackedKernel.Id.Shader).And.None.EqualTo(PointwiseConvPackedKernel.Id.Shader));
    }

    [TestCase(12, 9, 7, 3, 1, 8, Activation.Relu6, Activation.None, 2, TestName = "dw+pw packed 3x3 s1, 9x7, 12 -> 8, batch 2")]
    [TestCase(20, 15, 13, 3, 2, 16, Activation.Relu, Activation.Relu, 1, TestName = "dw+pw packed 3x3 s2 same pad, 15x13, 20 -> 16")]
    [TestCase(8, 11, 10, 5, 1, 24, Activation.Relu6, Activation.None, 2, TestName = "dw+pw packed 5x5 s1, 11x10, 24 outputs")]
    [TestCase(16, 13, 14, 5, 2, 12, Activation.Relu, Activation.Relu6, 2, TestName = "dw+pw packed 5x5 s2, 13x14 to 7x7")]
    [TestCase(8, 5, 28, 5, 1, 8, Activation.HardSwish, Activation.HardSwish, 1, TestName = "dw+pw packed 5x5 s1, 28-wide rows (groups of 7), hard-swish")]
    [TestCase(12, 6, 11, 3, 1, 32, Activation.Relu6, Activation.HardSwish, 2, TestName = "dw+pw packed 3x3 s1, 32 outputs under hard-swish (3 pixels)")]
    [TestCase(24, 3, 2, 3, 1, 16, Activation.None, Activation.Sigmoid, 2, TestName = "dw+pw packed on a 3x2 map (narrower than the tile), sigmoid")]
    [TestCase(12, 13, 11, 5, 1, 20, Activation.Swish, Activation.Swish, 2, TestName = "dw+pw packed 5x5 s1, 13x11, 12 -> 20, swish on both")]
    [TestCase(4, 1, 9, 3, 1, 4, Activation.Relu, Activation.LeakyRelu, 1, TestName = "dw+pw packed on a single row, 4 -> 4")]
    public void MatchesOracle(int c, int h, int w, int k, int stride, int outC, Activation dwAct, Activation act, int batch)
    {
        var g = Pair(c, h, w, k, stride, outC, dwAct, act, seed: c + outC);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Packed, inspect: RanFused);
    }

    [Test]
    public void ChannelsOffTheQuadsArePaddedAndFused()
    {
        // 8 -> 1x1 to 13 -> depthwise 13 -> 1x1 to 10 (the graph output): the 13 are padded to 16 with zero filters and the
        // 10 written as 12 and cut back by the layout conversion, so the pair runs fused on whole quads.
        var b = new GraphBuilder("dwpw_13_to_10", new TensorShape(8, 10, 6));
        var e = b.Conv2d("expand", b.Input, 13, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(8 * 13, 3, 0.6f), GpuVsCpu.RandomArray(13, 4, 0.1f), Activation.Relu);
        var d = b.Conv2d("dw", e, 13, 3, 2, Padding.Same(10, 6, 3, 3, 2, 2), 13, GpuVsCpu.RandomArray(13 * 9, 5, 0.5f), GpuVsCpu.RandomArray(13, 6, 0.1f), Activation.Relu6);
        var g = b.Build(b.Conv2d("pw", d, 10, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(13 * 10, 7, 0.5f), GpuVsCpu.RandomArray(10, 8, 0.1f)));
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Packed, inspect: s =>
        {
            var fused = s.Graph.Nodes.OfType<DepthwisePointwiseOp>().Single();
            Assert.That((fused.Depthwise.InC, fused.Pointwise.OutC), Is.EqualTo((16, 12)));
            Assert.That(s.Dispatches.Select(x => x.Shader), Has.Exactly(1).EqualTo(DepthwisePointwisePackedKernel.Id.Shader).And.None.EqualTo(DepthwiseConvPackedKernel.Id.Shader));
        });
    }

    [TestCase(3, Activation.Relu, TestName = "dw+pw packed 3x3 with residual, relu after")]
    [TestCase(5, Activation.None, TestName = "dw+pw packed 5x5 with residual")]
    public void WithResidual(int k, Activation act)
    {
        var g = Pair(16, 7, 9, k, 1, 16, Activation.Relu6, act, residual: true);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Packed, inspect: s =>
        {
            RanFused(s);
            Assert.That(s.Graph.Nodes.OfType<DepthwisePointwiseOp>().Single().Pointwise.Residual, Is.Not.Null, "the residual fused into the 1x1");
        });
    }

    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Fp16(Precision precision, double tolerance)
    {
        var g = Pair(40, 9, 10, 3, 2, 16, Activation.Relu6, Activation.Relu);
        GpuVsCpu.Check(Device, g, 2, tolerance, tolerance, options: Packed with { Precision = precision }, inspect: RanFused);
    }

    [Test]
    public void FusesOnlyWhereTheOutputChannelsAreFewBlocks()
    {
        var few = PassPipeline.Apply(Pair(16, 8, 8, 3, 1, 32, Activation.Relu, Activation.None), OnCpu);
        Assert.That(few.Nodes.OfType<DepthwisePointwiseOp>(), Has.Exactly(1).Items, "32 outputs: one invocation covers them");
        var many = PassPipeline.Apply(Pair(16, 8, 8, 3, 1, 36, Activation.Relu, Activation.None), OnCpu);
        Assert.That(many.Nodes.OfType<DepthwisePointwiseOp>(), Is.Empty, "36 outputs: blocks that would each redo the depthwise work");
        Assert.That(many.Nodes.OfType<Conv2dOp>().Count(c => c.IsDepthwise), Is.EqualTo(1));
    }

    [Test]
    public void ForcedOnAWideLayerRunsBlocksOfOutputChannels()
    {
        // The pass never fuses 48 outputs; fused by hand, the kernel takes 3 blocks of 16 (each redoing the depthwise sums).
        var packed = PassPipeline.Apply(Pair(12, 7, 9, 3, 2, 48, Activation.Relu6, Activation.Relu), OnCpu);
        var dw = packed.Nodes.OfType<Conv2dOp>().Single(c => c.IsDepthwise);
        var pw = packed.Nodes.OfType<Conv2dOp>().Single(c => c.IsPointwise);
        var fused = packed.WithNodes(packed.Nodes.Where(n => n != dw)
            .Select(n => n == pw ? new DepthwisePointwiseOp("pw_dwpw", dw.Input, pw.Output, dw, pw) : n).ToList());
        GpuVsCpu.Check(Device, fused, 2, 1e-4, 1e-4, options: new SessionOptions { Passes = PassOptions.None }, inspect: s =>
            Assert.That(s.Dispatches.Single(d => d.Shader == DepthwisePointwisePackedKernel.Id.Shader).Groups.Y, Is.EqualTo(3u)));
    }

    [TestCase(56, 3, 24, Activation.None, 4)]
    [TestCase(7, 5, 16, Activation.Relu6, 7)]
    [TestCase(7, 5, 32, Activation.Relu6, 4)]
    [TestCase(28, 5, 16, Activation.Relu, 7)]
    [TestCase(28, 5, 32, Activation.HardSwish, 3)]
    [TestCase(3, 3, 8, Activation.None, 3)]
    public void PixelsPerInvocationKeepTheSumsInRegisters(int outW, int kernelW, int outC, Activation act, int pixels) =>
        Assert.That(DepthwisePointwisePackedKernel.PixelsFor(outW, kernelW, outC, act), Is.EqualTo(pixels));

    [Test]
    public void LeavesADepthwiseOutputThatOthersReadOrThatIsNotPacked()
    {
        var b = new GraphBuilder("dw_read_twice", new TensorShape(8, 6, 6));
        var d = b.Conv2d("dw", b.Input, 8, 3, 1, Padding.Symmetric(1), 8, GpuVsCpu.RandomArray(72, 1));
        var y = b.Conv2d("pw", d, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(64, 2));
        var shared = b.Build(b.Add("sum", y, d));
        var on = OnCpu;
        Assert.That(PassPipeline.Apply(shared, on).Nodes.OfType<DepthwisePointwiseOp>(), Is.Empty, "the depthwise output is read twice");
        var pair = Pair(8, 6, 6, 3, 1, 8, Activation.None, Activation.None);
        Assert.That(PassPipeline.Apply(pair, on with { PackChannels = false }).Nodes.OfType<DepthwisePointwiseOp>(), Is.Empty, "planar");
        Assert.That(PassPipeline.Apply(pair, on with { FusePackedDepthwisePointwise = false }).Nodes.OfType<DepthwisePointwiseOp>(), Is.Empty, "off");
    }

    [Test]
    public void AutoFusesOnCpuDevicesOnly()
    {
        Assert.That(new PassOptions().ResolveFor(cpuDevice: true).FusePackedDepthwisePointwise, Is.True);
        Assert.That(new PassOptions().ResolveFor(cpuDevice: false).FusePackedDepthwisePointwise, Is.False);
        Assert.That(PassOptions.None.ResolveFor(cpuDevice: true).FusePackedDepthwisePointwise, Is.False);
    }
}
