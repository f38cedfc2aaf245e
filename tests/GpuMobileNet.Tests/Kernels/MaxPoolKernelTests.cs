using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/max_pool.comp on odd sizes, overlapping and padded windows; a maximum is exact (tolerance 0). Packed
/// (NC4HW4) after a stem that writes packed, with convolutions around it: abs 1e-5 + rel 1e-5.</summary>
[OracleTestFor(typeof(MaxPoolOp))]
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

    [TestCase(8, 15, 13, 1, TestName = "max pool NC4HW4: stem 8 ch -> 3x3 s2 pad 1 pool, odd plane")]
    [TestCase(12, 10, 9, 2, TestName = "max pool NC4HW4: stem 12 ch, batch 2")]
    public void ChannelPackedAfterTheStem(int c, int h, int w, int batch)
    {
        // ShuffleNetV1's start: stem (writes NC4HW4) -> max pool -> 1x1 conv and average pool, packed throughout.
        var b = new GraphBuilder("stem_pool", new TensorShape(3, h, w));
        var stem = b.Conv2d("stem", b.Input, c, 3, 2, Padding.Symmetric(1), 1, GpuVsCpu.RandomArray(c * 27, 1), GpuVsCpu.RandomArray(c, 2), Activation.Relu);
        var pool = b.MaxPool("pool", stem, 3, 3, 2, 2, Padding.Symmetric(1));
        var pw = b.Conv2d("pw", pool, c, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c, 3), null);
        var avg = b.AvgPool("avg", pool, 3, 3, 1, 1, Padding.Symmetric(1));
        var y = b.Add("add", pw, avg);
        GpuVsCpu.Check(Device, b.Build(y), batch, 1e-5, 1e-5, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
        {
            var op = s.Graph.Nodes.OfType<MaxPoolOp>().Single();
            Assert.That((op.Input.Layout, op.Output.Layout), Is.EqualTo((TensorLayout.Nc4hw4, TensorLayout.Nc4hw4)));
            Assert.That(s.Dispatches.Count(d => d.Shader == "layout_convert"), Is.EqualTo(1), "only the output's");
        });
    }

    [TestCase(8, 19, 37, 3, 2, 1, 1, TestName = "max pool NC4HW4: 3x3 s2 pad 1, row tail of 2 pixels past the 4-pixel groups")]
    [TestCase(4, 13, 11, 3, 1, 1, 2, TestName = "max pool NC4HW4: 3x3 s1 pad 1 (windows clamped on every side), batch 2")]
    [TestCase(12, 17, 15, 2, 2, 0, 1, TestName = "max pool NC4HW4: 2x2 s2 no pad, odd plane")]
    [TestCase(4, 9, 5, 5, 2, 2, 1, TestName = "max pool NC4HW4: 5x5 s2 pad 2 on a plane narrower than a pixel group")]
    public void ChannelPackedWindows(int c, int h, int w, int k, int stride, int pad, int batch)
    {
        // The packed path shares column loads between the pixels of a row and clamps them into the image: tails,
        // borders and windows wider than the stride, each against the oracle (exact up to the packed 1x1 after it).
        var b = new GraphBuilder("stem_pool", new TensorShape(3, h, w));
        var stem = b.Conv2d("stem", b.Input, c, 3, 1, Padding.Symmetric(1), 1, GpuVsCpu.RandomArray(c * 27, 4), GpuVsCpu.RandomArray(c, 5), Activation.None);
        var pool = b.MaxPool("pool", stem, k, k, stride, stride, Padding.Symmetric(pad));
        var pw = b.Conv2d("pw", pool, c, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c, 6), null);
        GpuVsCpu.Check(Device, b.Build(pw), batch, 1e-5, 1e-5, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
        {
            var op = s.Graph.Nodes.OfType<MaxPoolOp>().Single();
            Assert.That((op.Input.Layout, op.Output.Layout), Is.EqualTo((TensorLayout.Nc4hw4, TensorLayout.Nc4hw4)));
        });
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
