using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/add.comp; one float addition per element, tolerance abs 1e-6.</summary>
[OracleTestFor(typeof(AddOp))]
internal class AddKernelTests : GpuTest
{
    [TestCase(3, 5, 7, Activation.None, 2)]
    [TestCase(24, 56, 56, Activation.Relu6, 1)]
    public void MatchesOracle(int c, int h, int w, Activation act, int batch)
    {
        // Both addends come from the input through activations, so the add reads two distinct tensors.
        var g = SmallOpGraphs.Build("add", new TensorShape(c, h, w), (b, x) =>
            b.Add("add", b.Activate("a", x, Activation.Relu), b.Activate("b", x, Activation.Relu6), act));
        GpuVsCpu.Check(Device, g, batch, 1e-6, 0, inspect: s => Ran.Kernel(s, AddKernel.Id, "add"));
    }
}
