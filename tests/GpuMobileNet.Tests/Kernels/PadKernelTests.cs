using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/pad.comp: a copy, so it must be exact (tolerance 0).</summary>
[OracleTestFor(typeof(PadOp))]
public class PadKernelTests : GpuTest
{
    [TestCase(3, 7, 5, 0, 0, 1, 1, 2)]
    [TestCase(5, 4, 9, 2, 1, 0, 3, 1)]
    public void MatchesOracleExactly(int c, int h, int w, int top, int left, int bottom, int right, int batch)
    {
        var g = SmallOpGraphs.Build("pad", new TensorShape(c, h, w), (b, x) => b.Pad("pad", x, new Padding(top, left, bottom, right)));
        GpuVsCpu.Check(Device, g, batch, 0, 0, inspect: s => Ran.Kernel(s, PadKernel.Id, "pad"));
    }
}
