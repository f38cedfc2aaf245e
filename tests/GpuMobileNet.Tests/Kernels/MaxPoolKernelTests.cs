using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/max_pool.comp on odd sizes, overlapping and padded windows; a maximum is exact (tolerance 0).</summary>
public class MaxPoolKernelTests : GpuTest
{
    [TestCase(3, 9, 13, 2, 2, 2, 2, 0, 0, 2)]
    [TestCase(5, 7, 6, 3, 3, 2, 2, 1, 1, 1)]
    [TestCase(2, 5, 11, 3, 2, 1, 3, 1, 0, 3)]
    public void MatchesOracle(int c, int h, int w, int kh, int kw, int sh, int sw, int padT, int padL, int batch)
    {
        var pad = new Padding(padT, padL, padT, padL);
        var g = SmallOpGraphs.Build("maxpool", new TensorShape(c, h, w), (b, x) => b.MaxPool("pool", x, kh, kw, sh, sw, pad));
        GpuVsCpu.Check(Device, g, batch, 0, 0);
    }

    [Test]
    public void AllNegativeWindowWithPaddingIsNotZero()
    {
        // Padding never wins: with every input negative, a padded corner still returns an input value.
        var g = SmallOpGraphs.Build("maxpool", new TensorShape(1, 2, 2), (b, x) =>
            b.MaxPool("pool", b.Conv2d("negate", x, 1, 1, 1, Padding.Zero, 1, [-1f]), 3, 3, 1, 1, Padding.Symmetric(1)));
        var input = new float[] { 4, 3, 2, 1 };
        using var session = Runtime.InferenceSession.Create(g, Device);
        Assert.That(session.Run(input), Is.EqualTo(new float[] { -1, -1, -1, -1 }));
        GpuVsCpu.Check(Device, g, 1, 0, 0);
    }
}
