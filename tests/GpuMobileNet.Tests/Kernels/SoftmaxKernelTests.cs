using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/softmax.comp; probabilities compared with abs 1e-6 + rel 1e-4.</summary>
[OracleTestFor(typeof(SoftmaxOp))]
public class SoftmaxKernelTests : GpuTest
{
    [TestCase(5, 2)]
    [TestCase(1000, 1)]
    [TestCase(1001, 3)]
    [TestCase(63, 2)]
    public void MatchesOracle(int c, int batch)
    {
        var g = SmallOpGraphs.Build("softmax", new TensorShape(c, 1, 1), (b, x) => b.Softmax("softmax", x));
        GpuVsCpu.Check(Device, g, batch, 1e-6, 1e-4, inspect: s => Ran.Kernel(s, SoftmaxKernel.Id, "softmax"));
    }
}
