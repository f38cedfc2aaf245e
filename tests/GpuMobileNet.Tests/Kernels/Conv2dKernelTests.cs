using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/conv2d.comp against the CPU oracle. Tolerance: fp32 sums of at most a few hundred
/// O(1) terms, abs 1e-4 + rel 1e-4.</summary>
[OracleTestFor(typeof(Conv2dOp))]
internal class Conv2dKernelTests : GpuTest
{
    private static readonly SessionOptions Simple = new() { Kernels = KernelChoice.Simple };

    private static void UsesSimpleKernel(InferenceSession s) =>
        Assert.That(s.Dispatches.Select(d => d.Shader), Is.All.EqualTo("conv2d"));

    [TestCase(3, 17, 13, 8, 2, true, Activation.Relu6, 2, TestName = "stem 3x3 s2 same pad, odd sizes, batch 2")]
    [TestCase(3, 224 / 8, 224 / 8, 32, 2, false, Activation.None, 1, TestName = "stem 3x3 s2 no bias")]
    [TestCase(5, 9, 11, 7, 1, true, Activation.Relu, 2, TestName = "3x3 s1, channels not multiple of 4")]
    public void MatchesOracle(int inC, int h, int w, int outC, int stride, bool bias, Activation act, int batch)
    {
        var pad = stride == 2 ? Padding.Same(h, w, 3, 3, 2, 2) : Padding.Symmetric(1);
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 3, stride, pad, 1, bias, act, residual: false);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Simple, inspect: UsesSimpleKernel);
    }

    [Test]
    public void GroupedConvWithResidual()
    {
        var g = ConvGraphs.Conv(new TensorShape(6, 7, 9), 4, 3, 1, Padding.Symmetric(1), 2, true, Activation.Relu, residual: true);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: Simple, inspect: UsesSimpleKernel);
    }

    [Test]
    public void FiveByFiveStrideTwoAsymmetricPadding()
    {
        var g = ConvGraphs.Conv(new TensorShape(3, 12, 10), 6, 5, 2, new Padding(1, 2, 2, 1), 1, true, Activation.None, residual: false);
        GpuVsCpu.Check(Device, g, 1, 1e-4, 1e-4, options: Simple, inspect: UsesSimpleKernel);
    }
}
