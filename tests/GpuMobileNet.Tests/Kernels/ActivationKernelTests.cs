using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/activation.comp: exact (max/clamp only).</summary>
[OracleTestFor(typeof(ActivationOp))]
internal class ActivationKernelTests : GpuTest
{
    [TestCase(Activation.Relu)]
    [TestCase(Activation.Relu6)]
    [TestCase(Activation.None)]
    public void MatchesOracleExactly(Activation act)
    {
        // Inputs in [-8, 8) so Relu6's upper clamp is exercised too.
        var g = SmallOpGraphs.Build("act", new TensorShape(5, 9, 7), (b, x) => b.Activate("act", x, act));
        GpuVsCpu.Check(Device, g, 2, 0, 0, inputScale: 8f, inspect: s => Ran.Kernel(s, ActivationKernel.Id, "act"));
    }
}
