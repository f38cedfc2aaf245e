using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/equal.comp: the local-maximum mask of a score map (x == maxpool(x)); exact (tolerance 0).</summary>
[OracleTestFor(typeof(EqualOp))]
public class EqualKernelTests : GpuTest
{
    [TestCase(1, 9, 7, 2)]
    [TestCase(5, 4, 13, 1)]
    public void LocalMaximaMask(int c, int h, int w, int batch)
    {
        var g = SmallOpGraphs.Build("peaks", new TensorShape(c, h, w), (b, x) =>
            b.Equal("peak", x, b.MaxPool("max", x, 3, 3, 1, 1, Padding.Symmetric(1))));
        GpuVsCpu.Check(Device, g, batch, 0, 0, inspect: s => Ran.Kernel(s, EqualKernel.Id, "peak"));
    }

    [Test]
    public void OnesWhereEqual()
    {
        var g = SmallOpGraphs.Build("eq", new TensorShape(1, 1, 4), (b, x) => b.Equal("eq", x, b.Activate("relu", x, Activation.Relu)));
        using var session = Runtime.InferenceSession.Create(g, Device);
        Ran.Kernel(session, EqualKernel.Id, "eq");
        Assert.That(session.Run(new float[] { -1, 0, 2, -3 }), Is.EqualTo(new float[] { 0, 1, 1, 0 }));
    }
}
