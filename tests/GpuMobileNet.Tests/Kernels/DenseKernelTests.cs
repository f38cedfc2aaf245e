using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/dense.comp; tolerance abs 1e-4 + rel 1e-4 (up to 1280 terms, He-scaled).</summary>
public class DenseKernelTests : GpuTest
{
    [TestCase(7, 5, true, Activation.None, 2)]
    [TestCase(1280, 1000, true, Activation.None, 1)]
    [TestCase(1280, 256, true, Activation.Relu, 3)]
    [TestCase(33, 65, false, Activation.Relu6, 1)]
    public void MatchesOracle(int inF, int outF, bool bias, Activation act, int batch)
    {
        float scale = (float)Math.Sqrt(3.0 / inF);
        var g = SmallOpGraphs.Build("dense", new TensorShape(inF, 1, 1), (b, x) => b.Dense("fc", x, outF,
            GpuVsCpu.RandomArray(inF * outF, 3, scale), bias ? GpuVsCpu.RandomArray(outF, 4) : null, act));
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4);
    }
}
