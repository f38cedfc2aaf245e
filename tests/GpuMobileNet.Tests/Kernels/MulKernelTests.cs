using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/mul.comp: same-shape and per-channel (squeeze-and-excite) products; one float multiply per
/// element, tolerance abs 1e-6 + rel 1e-6.</summary>
[OracleTestFor(typeof(MulOp))]
public class MulKernelTests : GpuTest
{
    [TestCase(3, 5, 7, 2)]
    [TestCase(17, 1, 1, 3)]
    [TestCase(24, 13, 11, 1)]
    public void SameShape(int c, int h, int w, int batch)
    {
        var g = SmallOpGraphs.Build("mul", new TensorShape(c, h, w), (b, x) =>
            b.Mul("mul", b.Activate("a", x, Activation.Relu), b.Activate("b", x, Activation.Sigmoid)));
        GpuVsCpu.Check(Device, g, batch, 1e-6, 1e-6, inputScale: 3, inspect: s => Ran.Kernel(s, MulKernel.Id, "mul"));
    }

    [TestCase(5, 7, 9, 2)]
    [TestCase(40, 3, 3, 1)]
    public void PerChannelGate(int c, int h, int w, int batch)
    {
        var g = SmallOpGraphs.Build("se", new TensorShape(c, h, w), (b, x) =>
            b.Mul("scale", x, b.Activate("gate", b.GlobalAvgPool("pool", x), Activation.Sigmoid)));
        GpuVsCpu.Check(Device, g, batch, 1e-6, 1e-5, inputScale: 3, inspect: s => Ran.Kernel(s, MulKernel.Id, "scale"));
    }

    /// <summary>A squeeze-and-excite block between pointwise convolutions: the packing pass keeps both products
    /// NC4HW4 (gate and same-shape), and the packed kernel indexes channels by the packed order.</summary>
    [TestCase(8, 5, 7, 2)]
    [TestCase(16, 3, 9, 1)]
    public void PackedSqueezeExcite(int c, int h, int w, int batch)
    {
        var g = SmallOpGraphs.Build("se_packed", new TensorShape(4, h, w), (b, x) =>
        {
            var a = b.Conv2d("expand", x, c, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(4 * c, 1, 0.5f));
            var gate = b.Activate("gate", b.Conv2d("fc", b.GlobalAvgPool("pool", a), c, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c, 2, 0.5f)), Activation.Sigmoid);
            var scaled = b.Mul("scale", a, gate);
            // scaled * sigmoid(a), not a swish (which FuseSwish would turn into an activation).
            var product = b.Mul("product", scaled, b.Activate("sig", a, Activation.Sigmoid));
            return b.Conv2d("project", product, 4, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(4 * c, 3, 0.5f));
        });
        GpuVsCpu.Check(Device, g, batch, 1e-5, 1e-4, options: new GpuMobileNet.Runtime.SessionOptions { Passes = new GpuMobileNet.Passes.PassOptions { PackChannels = true } },
            inspect: s =>
            {
                Assert.That(s.Graph.Nodes.OfType<GpuMobileNet.Graph.Ops.MulOp>().Select(m => m.A.Layout), Is.All.EqualTo(TensorLayout.Nc4hw4));
                Ran.Kernel(s, MulKernel.Id, "scale");
                Ran.Kernel(s, MulKernel.Id, "product");
            });
    }

    [Test]
    public void WrongGateShapeIsRefused()
    {
        var b = new GraphBuilder("bad", new TensorShape(4, 3, 3));
        var pooled = b.GlobalAvgPool("pool", b.Input);
        Assert.That(() => b.Mul("mul", pooled, b.Input), Throws.TypeOf<InvalidGraphException>().With.Message.Contains("Mul 'mul'"));
    }
}
