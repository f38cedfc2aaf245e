using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/softmax_axis.comp against the oracle: along channels of an image (inner = H x W), along rows, along the
/// last axis (inner 1), over everything (outer = inner = 1), odd sizes, batch 2, inputs up to +-30 so the max subtraction
/// matters. abs 1e-6 + rel 1e-4.</summary>
[OracleTestFor(typeof(AxisSoftmaxOp))]
public class AxisSoftmaxKernelTests : GpuTest
{
    [TestCase(1, 7, 15, TestName = "softmax along channels of 7x3x5")]
    [TestCase(7, 3, 5, TestName = "softmax along H of 7x3x5")]
    [TestCase(21, 5, 1, TestName = "softmax along W of 7x3x5")]
    [TestCase(1, 105, 1, TestName = "softmax over the whole 7x3x5 sample")]
    public void MatchesOracle(int outer, int axis, int inner)
    {
        var g = SmallOpGraphs.Build("softmax_axis", new TensorShape(7, 3, 5), (b, x) => b.AxisSoftmax("s", x, outer, axis, inner));
        GpuVsCpu.Check(Device, g, 2, 1e-6, 1e-4, inputScale: 30, inspect: s => Ran.Kernel(s, AxisSoftmaxKernel.Id, "s"));
    }

    [Test]
    public void EachLineSumsToOne()
    {
        var g = SmallOpGraphs.Build("rows", new TensorShape(2, 3, 4), (b, x) => b.AxisSoftmax("s", x, 6, 4, 1));
        using var session = Runtime.InferenceSession.Create(g, Device);
        Ran.Kernel(session, AxisSoftmaxKernel.Id, "s");
        var y = session.Run(GpuVsCpu.RandomArray(24, 3, 5));
        for (int line = 0; line < 6; line++)
            Assert.That(y.Skip(line * 4).Take(4).Sum(), Is.EqualTo(1f).Within(1e-5), $"line {line}");
    }
}
