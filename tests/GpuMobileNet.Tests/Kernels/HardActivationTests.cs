using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>h-sigmoid and h-swish (common.glsl's activate, ACT_HARD_SIGMOID / ACT_HARD_SWISH, and the 1/5-slope
/// ACT_KERAS_HARD_SIGMOID / ACT_KERAS_HARD_SWISH of ncnn's defaults) standalone and fused
/// into every kernel family MobileNetV3 uses them in: full, pointwise and depthwise convolutions (planar and
/// channel-packed), dense. Inputs scaled by 8 cross both kinks at -3 and +3 (-2.5 and +2.5). A clamp and two multiplies per element:
/// tolerance abs 1e-5 + rel 1e-5 after a convolution's sums, 1e-6 standalone.</summary>
internal class HardActivationTests : GpuTest
{
    [TestCase(Activation.HardSigmoid, 3, 7, 5, 2)]
    [TestCase(Activation.HardSwish, 3, 7, 5, 2)]
    [TestCase(Activation.HardSwish, 17, 1, 1, 1)]
    [TestCase(Activation.KerasHardSigmoid, 3, 7, 5, 2)]
    [TestCase(Activation.KerasHardSwish, 5, 3, 9, 1)]
    public void Standalone(Activation act, int c, int h, int w, int batch)
    {
        var g = SmallOpGraphs.Build("hard", new TensorShape(c, h, w), (b, x) => b.Activate("act", x, act));
        GpuVsCpu.Check(Device, g, batch, 1e-6, 1e-6, inputScale: 8, options: Layouts.Planar, inspect: s => Ran.Kernel(s, ActivationKernel.Id, "act"));
    }

    [TestCase(Activation.HardSigmoid, 3, 13, 11, 2, false)]
    [TestCase(Activation.HardSwish, 3, 13, 11, 1, false)]
    [TestCase(Activation.HardSwish, 5, 9, 7, 2, true)]
    [TestCase(Activation.KerasHardSwish, 3, 13, 11, 1, false)]
    [TestCase(Activation.KerasHardSwish, 5, 9, 7, 2, true)]
    public void FusedIntoStemPointwiseAndDepthwise(Activation act, int c, int h, int w, int batch, bool packed)
    {
        // stem (3x3 stride 2) -> 5x5 depthwise -> pointwise, each with the activation fused; 12 / 20 channels pack.
        int mid = packed ? 20 : 10;
        var g = SmallOpGraphs.Build("hard_convs", new TensorShape(c, h, w), (b, x) =>
        {
            var stem = b.Activate("stem_act", b.Conv2d("stem", x, mid, 3, 2, Padding.Symmetric(1), 1, GpuVsCpu.RandomArray(mid * c * 9, 1, 0.6f)), act);
            var dw = b.Activate("dw_act", b.Conv2d("dw", stem, mid, 5, 1, Padding.Symmetric(2), mid, GpuVsCpu.RandomArray(mid * 25, 2, 0.5f)), act);
            return b.Activate("pw_act", b.Conv2d("pw", dw, 12, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(12 * mid, 3, 0.6f)), act);
        });
        var options = packed ? new GpuMobileNet.Runtime.SessionOptions { Passes = new GpuMobileNet.Passes.PassOptions { PackChannels = true } } : Layouts.Planar;
        GpuVsCpu.Check(Device, g, batch, 1e-5, 1e-5, inputScale: 8, options: options,
            inspect: s => Assert.That(s.Graph.Nodes.OfType<GpuMobileNet.Graph.Ops.ActivationOp>(), Is.Empty, "every activation is fused"));
    }

    [TestCase(Activation.HardSigmoid)]
    [TestCase(Activation.HardSwish)]
    [TestCase(Activation.KerasHardSigmoid)]
    public void FusedIntoDense(Activation act)
    {
        var g = SmallOpGraphs.Build("hard_dense", new TensorShape(37, 1, 1), (b, x) =>
            b.Dense("fc", x, 19, GpuVsCpu.RandomArray(19 * 37, 4, 0.8f), GpuVsCpu.RandomArray(19, 5), act));
        GpuVsCpu.Check(Device, g, 2, 1e-5, 1e-5, inputScale: 8, inspect: s => Ran.Kernel(s, DenseKernel.Id, "fc"));
    }

    [TestCase(-4.0, 0.0, -0.0)]
    [TestCase(-3.0, 0.0, -0.0)]
    [TestCase(0.0, 0.5, 0.0)]
    [TestCase(1.5, 0.75, 1.125)]
    [TestCase(3.0, 1.0, 3.0)]
    [TestCase(7.0, 1.0, 7.0)]
    public void ReferenceValues(double x, double hardSigmoid, double hardSwish)
    {
        Assert.That(GpuMobileNet.Runtime.Reference.ActivationMath.Apply(x, Activation.HardSigmoid), Is.EqualTo(hardSigmoid).Within(1e-12));
        Assert.That(GpuMobileNet.Runtime.Reference.ActivationMath.Apply(x, Activation.HardSwish), Is.EqualTo(hardSwish).Within(1e-12));
    }

    [TestCase(-4.0, 0.0)]
    [TestCase(-2.5, 0.0)]
    [TestCase(0.0, 0.5)]
    [TestCase(1.5, 0.8)]
    [TestCase(2.5, 1.0)]
    [TestCase(7.0, 1.0)]
    public void KerasReferenceValues(double x, double hardSigmoid)
    {
        Assert.That(GpuMobileNet.Runtime.Reference.ActivationMath.Apply(x, Activation.KerasHardSigmoid), Is.EqualTo(hardSigmoid).Within(1e-12));
        Assert.That(GpuMobileNet.Runtime.Reference.ActivationMath.Apply(x, Activation.KerasHardSwish), Is.EqualTo(x * hardSigmoid).Within(1e-12));
    }
}
