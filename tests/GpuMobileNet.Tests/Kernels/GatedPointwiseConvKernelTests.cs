using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/pointwise_conv_packed.comp with GATED (GatedPointwiseConvKernel): a squeeze-and-excite block
/// (global pool, 1x1 + ReLU, 1x1 + h-sigmoid, channel product) whose product the FuseChannelGate pass folds into the
/// packed 1x1 convolution after it (with an activation between the product and the convolution applied as it reads:
/// GATE_ACT), against the CPU oracle on the unfused graph, in fp32 and the fp16 builds. Awkward shapes: odd sizes, a
/// single row, channels not a multiple of the 16-channel tile, a residual, batch 2. Sums of up to 40 products:
/// tolerance abs 1e-5 + rel 1e-4.</summary>
[OracleTestFor(typeof(GatedPointwiseOp))]
internal class GatedPointwiseConvKernelTests : GpuTest
{
    private static readonly SessionOptions Packed = new() { Passes = new PassOptions { PackChannels = true } };

    [TestCase(8, 12, 5, 7, 2, false)]
    [TestCase(20, 4, 1, 2, 1, false)]  // at 1x1 the gate has the tensor's shape: a plain product, not folded
    [TestCase(40, 24, 9, 3, 2, true)]
    [TestCase(12, 12, 13, 11, 1, true)]
    public void SqueezeExciteFoldedIntoThePointwiseRead(int c, int outC, int h, int w, int batch, bool residual) =>
        CheckFolded(SqueezeExcite(c, outC, h, w, residual, Activation.None), batch, Packed, 1e-5, 1e-4, Activation.None);

    [TestCase(Activation.Relu, 8, 12, 5, 7, 2, false, Precision.Float32, 1e-4)]
    [TestCase(Activation.KerasHardSwish, 12, 20, 13, 11, 1, true, Precision.Float32, 1e-4)]
    [TestCase(Activation.HardSwish, 40, 24, 9, 3, 2, false, Precision.Float16Storage, 1e-2)]
    [TestCase(Activation.Relu, 12, 12, 6, 5, 2, true, Precision.Float16, 2e-2)]
    public void ActivationBetweenProductAndConvolutionIsAppliedAsItReads(Activation between, int c, int outC, int h, int w, int batch,
        bool residual, Precision precision, double rel) =>
        CheckFolded(SqueezeExcite(c, outC, h, w, residual, between), batch, Packed with { Precision = precision },
            precision == Precision.Float32 ? 1e-5 : rel, rel, between);

    // expand (h-swish) -> pool -> 1x1 + ReLU -> 1x1 + h-sigmoid -> product (-> activation) -> project (+ residual).
    private static ModelGraph SqueezeExcite(int c, int outC, int h, int w, bool residual, Activation between) =>
        SmallOpGraphs.Build("se_gated", new TensorShape(4, h, w), (b, x) =>
        {
            var a = b.Conv2d("expand", x, c, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(4 * c, 1, 0.8f), act: Activation.HardSwish);
            var squeezed = b.Conv2d("squeeze", b.GlobalAvgPool("pool", a), 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(8 * c, 2, 0.8f),
                GpuVsCpu.RandomArray(8, 3), Activation.Relu);
            var gate = b.Conv2d("excite", squeezed, c, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(8 * c, 4, 0.8f), GpuVsCpu.RandomArray(c, 5), Activation.HardSigmoid);
            var scaled = b.Mul("scale", a, gate);
            if (between != Activation.None) scaled = b.Activate("scale_act", scaled, between);
            var y = b.Conv2d("project", scaled, outC, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * outC, 6, 0.5f), GpuVsCpu.RandomArray(outC, 7));
            return residual && outC == 4 ? b.Add("add", x, y) : residual ? b.Add("add", y, b.Conv2d("side", x, outC, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(4 * outC, 8))) : y;
        });

    private void CheckFolded(ModelGraph g, int batch, SessionOptions options, double abs, double rel, Activation between) =>
        GpuVsCpu.Check(Device, g, batch, abs, rel, inputScale: 3, options: options, inspect: s =>
        {
            Assert.That(s.Graph.Nodes.OfType<MulOp>(), Is.Empty, "the product is folded into the convolution");
            var gated = s.Graph.Nodes.OfType<GatedPointwiseOp>().Single();
            Assert.That((gated.Conv.Name, gated.GateActivation), Is.EqualTo(("project", between)));
            Assert.That(s.Graph.Nodes.OfType<ActivationOp>(), Is.Empty, "the activation is applied by the convolution's read");
            Assert.That(s.Dispatches.Count(d => d.Shader == GpuMobileNet.Kernels.MulKernel.Id.Shader), Is.Zero);
            GpuMobileNet.Tests.Gpu.Ran.Kernel(s, GpuMobileNet.Kernels.PointwiseConvPackedKernel.Id, "project");
        });

    [Test]
    public void ProductReadTwiceIsNotFolded()
    {
        // The scaled tensor is also a graph output here: it must still be written, so the product stays.
        var b = new GraphBuilder("se_shared", new TensorShape(8, 5, 5));
        var gate = b.Conv2d("excite", b.GlobalAvgPool("pool", b.Input), 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(64, 1), act: Activation.HardSigmoid);
        var scaled = b.Mul("scale", b.Conv2d("pw0", b.Input, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(64, 2)), gate);
        var y = b.Add("add", b.Conv2d("pw1", scaled, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(64, 3)), scaled);
        var g = PassPipeline.Apply(b.Build(y), new PassOptions { PackChannels = true, FuseResidualAdd = false });
        Assert.That(g.Nodes.OfType<MulOp>().Count(), Is.EqualTo(1));
        Assert.That(g.Nodes.OfType<GatedPointwiseOp>(), Is.Empty);
    }

    [Test]
    public void SwitchedOffTheProductRunsAsItsOwnPass()
    {
        var g = MobileNetV3Graph();
        var on = PassPipeline.Apply(g, new PassOptions(FuseDepthwisePointwise: false, FuseInvertedResidual: false) { PackChannels = true });
        var off = PassPipeline.Apply(g, new PassOptions(FuseDepthwisePointwise: false, FuseInvertedResidual: false) { PackChannels = true, FuseChannelGate = false });
        Assert.That(on.Nodes.OfType<GatedPointwiseOp>().Count(), Is.EqualTo(9), "every SE block of MobileNetV3-Small");
        Assert.That(on.Nodes.OfType<MulOp>(), Is.Empty);
        Assert.That(off.Nodes.OfType<MulOp>().Count(), Is.EqualTo(9));
        Assert.That(GraphStats.Compute(on).MultiplyAdds, Is.EqualTo(GraphStats.Compute(off).MultiplyAdds));
    }

    private static ModelGraph MobileNetV3Graph() => GpuMobileNet.Models.MobileNetV3.CreateSmall(0.5, 64, 10);
}
