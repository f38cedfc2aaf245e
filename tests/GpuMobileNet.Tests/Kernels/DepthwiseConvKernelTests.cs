using GpuMobileNet.Graph;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/depthwise_conv.comp against the CPU oracle; tolerance abs 1e-4 + rel 1e-4 (9-25 terms).</summary>
internal class DepthwiseConvKernelTests : GpuTest
{
    private static readonly SessionOptions Simple = new() { Kernels = KernelChoice.Simple, Passes = Layouts.PlanarPasses };

    private static void UsesSimpleKernel(InferenceSession s) =>
        Assert.That(s.Dispatches.Select(d => d.Shader), Is.All.EqualTo("depthwise_conv"));

    [TestCase(5, 9, 7, 3, 1, Activation.Relu6, 2, TestName = "dw 3x3 s1, 5 channels, odd sizes, batch 2")]
    [TestCase(7, 15, 15, 3, 2, Activation.Relu, 1, TestName = "dw 3x3 s2 same pad, odd size")]
    [TestCase(12, 14, 14, 3, 2, Activation.None, 2, TestName = "dw 3x3 s2 even size")]
    [TestCase(6, 11, 8, 5, 1, Activation.Relu6, 1, TestName = "dw 5x5 s1")]
    [TestCase(9, 13, 13, 5, 2, Activation.Relu6, 2, TestName = "dw 5x5 s2")]
    public void MatchesOracle(int c, int h, int w, int k, int stride, Activation act, int batch)
    {
        var pad = stride == 2 ? Padding.Same(h, w, k, k, 2, 2) : Padding.Symmetric(k / 2);
        var g = ConvGraphs.Conv(new TensorShape(c, h, w), c, k, stride, pad, c, true, act, residual: false);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Simple, inspect: UsesSimpleKernel);
    }

    [Test]
    public void WithResidualAndNoBias()
    {
        var g = ConvGraphs.Conv(new TensorShape(10, 6, 5), 10, 3, 1, Padding.Symmetric(1), 10, false, Activation.Relu, residual: true);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Simple, inspect: UsesSimpleKernel);
    }
}
