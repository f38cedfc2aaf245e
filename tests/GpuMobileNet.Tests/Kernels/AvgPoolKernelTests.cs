using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
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

    [TestCase(true, 2, TestName = "pool reads NC4HW4: global, batch 2")]
    [TestCase(false, 1, TestName = "pool reads NC4HW4: 3x3 s2 same padding")]
    public void ReadsAChannelPackedInput(bool global, int batch)
    {
        // A packed pointwise conv (12 channels: 3 vec4 blocks) feeds the pooling.
        var b = new GraphBuilder("pw_pool", new TensorShape(8, 9, 7));
        var pw = b.Conv2d("pw", b.Input, 12, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 96), TestData.Uniform(2, 12), Activation.Relu);
        var pool = global ? b.GlobalAvgPool("pool", pw) : b.AvgPool("pool", pw, 3, 3, 2, 2, Padding.Same(9, 7, 3, 3, 2, 2));
        GpuVsCpu.Check(Device, b.Build(pool), batch, 1e-5, 1e-5, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
        {
            Assert.That(s.Graph.Nodes.OfType<AvgPoolOp>().Single().Input.Layout, Is.EqualTo(TensorLayout.Nc4hw4));
            Assert.That(s.Dispatches.Select(d => d.Shader).Last(), Is.EqualTo("avg_pool"), "no conversion before the pool");
        });
    }
}
