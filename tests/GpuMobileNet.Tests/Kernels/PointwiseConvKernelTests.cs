using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/pointwise_conv.comp against the CPU oracle; output channels that are not a multiple of
/// the kernel's tile exercise the tail. Tolerance abs 1e-4 + rel 1e-4 (up to 320 terms).</summary>
internal class PointwiseConvKernelTests : GpuTest
{
    private static readonly SessionOptions Simple = new() { Kernels = KernelChoice.Simple, Passes = Layouts.PlanarPasses };

    private static void UsesSimpleKernel(InferenceSession s) =>
        Assert.That(s.Dispatches.Select(d => d.Shader), Is.All.EqualTo("pointwise_conv"));

    [TestCase(3, 5, 7, 7, Activation.None, 2, TestName = "pw 3->5 7x7 batch 2")]
    [TestCase(13, 17, 9, 11, Activation.Relu6, 1, TestName = "pw 13->17 9x11 relu6")]
    [TestCase(32, 24, 14, 14, Activation.Relu, 2, TestName = "pw 32->24 14x14 relu")]
    [TestCase(320, 1280, 7, 7, Activation.Relu6, 1, TestName = "pw 320->1280 7x7 (MobileNetV2 head)")]
    [TestCase(24, 144, 1, 2, Activation.Relu6, 3, TestName = "pw 1x2 spatial batch 3")]
    public void MatchesOracle(int inC, int outC, int h, int w, Activation act, int batch)
    {
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 1, 1, Padding.Zero, 1, true, act, residual: false);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Simple, inspect: UsesSimpleKernel);
    }

    [TestCase(16, 16, 5, 7, Activation.None, TestName = "pw residual, linear bottleneck")]
    [TestCase(12, 20, 3, 3, Activation.Relu, TestName = "pw residual then relu")]
    public void WithResidual(int inC, int outC, int h, int w, Activation act)
    {
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 1, 1, Padding.Zero, 1, true, act, residual: true);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Simple, inspect: UsesSimpleKernel);
    }
}
