using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/concat.comp: channel concatenation of computed parts and zero blocks; a copy is exact.</summary>
[OracleTestFor(typeof(ConcatOp))]
public class ConcatKernelTests : GpuTest
{
    [TestCase(3, 5, 7, 2)]
    [TestCase(24, 1, 1, 3)]
    public void PartsAndZeros(int c, int h, int w, int batch)
    {
        var g = SmallOpGraphs.Build("concat", new TensorShape(c, h, w), (b, x) =>
            b.Concat("cat", [b.Activate("relu", x, Activation.Relu), null, x, b.Activate("sig", x, Activation.Sigmoid)], [c, 5, c, c]));
        GpuVsCpu.Check(Device, g, batch, 0, 1e-6, inspect: s => Ran.Kernel(s, ConcatKernel.Id, "cat"));
    }

    [Test]
    public void ZeroBlockIsZeroEvenWhereMemoryWasReused()
    {
        var g = SmallOpGraphs.Build("widen", new TensorShape(2, 3, 3), (b, x) => b.Concat("cat", [x, null], [2, 3]));
        using var session = Runtime.InferenceSession.Create(g, Device);
        Ran.Kernel(session, ConcatKernel.Id, "cat");
        var output = session.Run(Enumerable.Repeat(7f, 18).ToArray());
        Assert.That(output[..18], Is.All.EqualTo(7f));
        Assert.That(output[18..], Is.All.EqualTo(0f));
    }
}
