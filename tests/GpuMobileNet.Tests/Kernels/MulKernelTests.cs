using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/mul.comp: same-shape and per-channel (squeeze-and-excite) products; one float multiply per
/// element, tolerance abs 1e-6 + rel 1e-6.</summary>
public class MulKernelTests : GpuTest
{
    [TestCase(3, 5, 7, 2)]
    [TestCase(17, 1, 1, 3)]
    [TestCase(24, 13, 11, 1)]
    public void SameShape(int c, int h, int w, int batch)
    {
        var g = SmallOpGraphs.Build("mul", new TensorShape(c, h, w), (b, x) =>
            b.Mul("mul", b.Activate("a", x, Activation.Relu), b.Activate("b", x, Activation.Sigmoid)));
        GpuVsCpu.Check(Device, g, batch, 1e-6, 1e-6, inputScale: 3);
    }

    [TestCase(5, 7, 9, 2)]
    [TestCase(40, 3, 3, 1)]
    public void PerChannelGate(int c, int h, int w, int batch)
    {
        var g = SmallOpGraphs.Build("se", new TensorShape(c, h, w), (b, x) =>
            b.Mul("scale", x, b.Activate("gate", b.GlobalAvgPool("pool", x), Activation.Sigmoid)));
        GpuVsCpu.Check(Device, g, batch, 1e-6, 1e-5, inputScale: 3);
    }

    [Test]
    public void WrongGateShapeIsRefused()
    {
        var b = new GraphBuilder("bad", new TensorShape(4, 3, 3));
        var pooled = b.GlobalAvgPool("pool", b.Input);
        Assert.That(() => b.Mul("mul", pooled, b.Input), Throws.TypeOf<InvalidGraphException>().With.Message.Contains("Mul 'mul'"));
    }
}
