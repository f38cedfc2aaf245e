using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>Swish (common.glsl's activate, ACT_SWISH), built as x · sigmoid(x) the way ncnn and ONNX files spell it
/// and fused by the passes: standalone on the activation kernel, and folded into the stem, packed depthwise and packed
/// pointwise kernels that EfficientNet runs it in, in fp32 and the fp16 builds. The oracle computes the unfused product.
/// Inputs scaled by 8 reach both tails of the sigmoid. Tolerance abs 1e-5 + rel 1e-5 (fp32); fp16 activations through
/// three layers of values up to ~10: 1e-2 (fp16 storage), 3e-2 (fp16 maths).</summary>
internal class SwishActivationTests : GpuTest
{
    [TestCase(3, 7, 5, 2)]
    [TestCase(17, 1, 1, 1)]
    public void StandaloneWhereTheProducerIsReadTwice(int c, int h, int w, int batch)
    {
        // x is the graph input and also read by the Add: the swish cannot fold into a producer.
        var g = SmallOpGraphs.Build("swish", new TensorShape(c, h, w), (b, x) =>
            b.Add("sum", b.Mul("swish", x, b.Activate("gate", x, Activation.Sigmoid)), x));
        GpuVsCpu.Check(Device, g, batch, 1e-5, 1e-5, inputScale: 8, options: Layouts.Planar, inspect: s =>
        {
            Ran.Kernel(s, ActivationKernel.Id, "swish");
            Assert.That(s.Graph.Nodes.OfType<ActivationOp>().Single().Activation, Is.EqualTo(Activation.Swish));
        });
    }

    [TestCase(Precision.Float32, 1e-5, 2)]
    [TestCase(Precision.Float16Storage, 1e-2, 1)]
    [TestCase(Precision.Float16, 3e-2, 2)]
    public void FusedIntoStemDepthwiseAndPointwise(Precision precision, double tolerance, int batch)
    {
        // stem (3x3 stride 2, 12 channels) -> 5x5 depthwise -> 1x1 to 20, each followed by x * sigmoid(x), on 13x11.
        var g = SmallOpGraphs.Build("swish_convs", new TensorShape(3, 13, 11), (b, x) =>
        {
            var stem = Swish(b, "stem", b.Conv2d("stem", x, 12, 3, 2, Padding.Symmetric(1), 1, GpuVsCpu.RandomArray(12 * 27, 1, 0.6f)));
            var dw = Swish(b, "dw", b.Conv2d("dw", stem, 12, 5, 1, Padding.Symmetric(2), 12, GpuVsCpu.RandomArray(12 * 25, 2, 0.5f)));
            return Swish(b, "pw", b.Conv2d("pw", dw, 20, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(20 * 12, 3, 0.6f)));
        });
        // The depthwise and 1x1 kernels each, not fused into one dispatch (DepthwisePointwisePackedKernelTests runs swish there).
        var packed = PointwiseConvPackedKernelTests.Packed;
        var options = packed with { Precision = precision, Passes = packed.Passes with { FusePackedDepthwisePointwise = false } };
        GpuVsCpu.Check(Device, g, batch, tolerance, tolerance, inputScale: 8, options: options, inspect: s =>
        {
            Assert.That(s.Graph.Nodes.OfType<ActivationOp>(), Is.Empty, "every swish is fused");
            Assert.That(s.Graph.Nodes.OfType<MulOp>(), Is.Empty, "no product is left");
            Assert.That(s.Graph.Nodes.OfType<Conv2dOp>().Select(c => c.Activation), Is.All.EqualTo(Activation.Swish));
            Ran.Kernel(s, DepthwiseConvPackedKernel.Id, "dw");
            Ran.Kernel(s, PointwiseConvPackedKernel.Id, "pw");
        });
    }

    private static Value Swish(GraphBuilder b, string name, Value x) =>
        b.Mul(name + "_swish", x, b.Activate(name + "_gate", x, Activation.Sigmoid));
}
