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

/// <summary>shaders/mul.comp: same-shape and per-channel (squeeze-and-excite) products, a float per invocation (samples
/// not of whole vec4s, planar gates) or a vec4 (texel); one float multiply per element, tolerance abs 1e-6 + rel 1e-6
/// (fp16 storage: 4e-3, values up to 3 in [0, 3] x [0, 1]).</summary>
[OracleTestFor(typeof(MulOp))]
public class MulKernelTests : GpuTest
{
    [TestCase(3, 5, 7, 2, false, Precision.Float32)]
    [TestCase(17, 1, 1, 3, false, Precision.Float32)]
    [TestCase(24, 13, 11, 1, true, Precision.Float32)]
    [TestCase(5, 4, 3, 2, true, Precision.Float16Storage)]
    public void SameShape(int c, int h, int w, int batch, bool vec4, Precision precision)
    {
        var g = SmallOpGraphs.Build("mul", new TensorShape(c, h, w), (b, x) =>
            b.Mul("mul", b.Activate("a", x, Activation.Relu), b.Activate("b", x, Activation.Sigmoid)));
        double tolerance = precision == Precision.Float32 ? 1e-6 : 4e-3;
        var planar = new SessionOptions { Precision = precision, Passes = new PassOptions { PackChannels = false } };
        GpuVsCpu.Check(Device, g, batch, tolerance, tolerance, inputScale: 3, options: planar, inspect: s =>
        {
            Ran.Kernel(s, MulKernel.Id, "mul");
            Assert.That((bool)Constants(s, "mul").Vec4, Is.EqualTo(vec4), "vec4 per invocation");
        });
    }

    private static MulConstants Constants(InferenceSession s, string layer) => (MulConstants)s.Dispatches.Single(d => d.Label == layer).Constants;

    [TestCase(5, 7, 9, 2)]
    [TestCase(40, 3, 3, 1)]
    public void PerChannelGate(int c, int h, int w, int batch)
    {
        var g = SmallOpGraphs.Build("se", new TensorShape(c, h, w), (b, x) =>
            b.Mul("scale", x, b.Activate("gate", b.GlobalAvgPool("pool", x), Activation.Sigmoid)));
        var planar = new SessionOptions { Passes = new PassOptions { PackChannels = false } };
        GpuVsCpu.Check(Device, g, batch, 1e-6, 1e-5, inputScale: 3, options: planar, inspect: s =>
        {
            Ran.Kernel(s, MulKernel.Id, "scale");
            Assert.That((bool)Constants(s, "scale").Vec4, Is.False, "a planar gate is read a float at a time");
        });
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
        GpuVsCpu.Check(Device, g, batch, 1e-5, 1e-4, options: new SessionOptions { Passes = new PassOptions { PackChannels = true } },
            inspect: s =>
            {
                Assert.That(s.Graph.Nodes.OfType<MulOp>().Select(m => m.A.Layout), Is.All.EqualTo(TensorLayout.Nc4hw4));
                Ran.Kernel(s, MulKernel.Id, "scale");
                Ran.Kernel(s, MulKernel.Id, "product");
                Assert.That(new[] { "scale", "product" }.Select(l => (bool)Constants(s, l).Vec4), Is.All.True, "packed products read texels");
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
