using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/avg_pool.comp; tolerance abs 1e-5 + rel 1e-5 (averages of O(1) values).</summary>
public class AvgPoolKernelTests : GpuTest
{
    [TestCase(5, 7, 7, 2)]
    [TestCase(1280, 7, 7, 1)]
    [TestCase(3, 9, 13, 3)]
    public void GlobalPool(int c, int h, int w, int batch)
    {
        var g = SmallOpGraphs.Build("gap", new TensorShape(c, h, w), (b, x) => b.GlobalAvgPool("pool", x));
        GpuVsCpu.Check(Device, g, batch, 1e-5, 1e-5);
    }

    [Test]
    public void ThreeByThreeStrideTwoPaddingLeftOutOfTheCount()
    {
        var g = SmallOpGraphs.Build("pool", new TensorShape(4, 9, 8),
            (b, x) => b.AvgPool("pool", x, 3, 3, 2, 2, Padding.Same(9, 8, 3, 3, 2, 2)));
        GpuVsCpu.Check(Device, g, 2, 1e-5, 1e-5);
    }
}
