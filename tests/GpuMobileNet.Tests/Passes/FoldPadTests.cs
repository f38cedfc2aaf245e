using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Passes;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

public class FoldPadTests
{
    [Test]
    public void FoldsAsymmetricPadIntoEveryReadingConv()
    {
        var b = new GraphBuilder("fold_pad", new TensorShape(3, 6, 7));
        var p = b.Pad("pad", b.Input, new Padding(0, 1, 1, 0));
        var dw = b.Conv2d("dw", p, 3, 3, 2, new Padding(1, 0, 0, 1), 3, TestData.Uniform(1, 27));
        var full = b.Conv2d("full", p, 3, 3, 2, new Padding(0, 1, 1, 0), 1, TestData.Uniform(2, 81));
        var before = b.Build(b.Add("add", dw, full));

        var after = FoldPad.Apply(before);

        Assert.That(TestData.Count<PadOp>(after), Is.Zero);
        var convs = after.Nodes.OfType<Conv2dOp>().ToDictionary(c => c.Name);
        Assert.That(convs["dw"].Pad, Is.EqualTo(new Padding(1, 1, 1, 1)));
        Assert.That(convs["full"].Pad, Is.EqualTo(new Padding(0, 2, 2, 0)));
        Assert.That(convs.Values.Select(c => c.Input), Is.All.SameAs(before.Input));
        TestData.AssertSameOutput(before, after);
    }

    [Test]
    public void DoesNotFoldIntoAvgPool()
    {
        var b = new GraphBuilder("pad_pool", new TensorShape(2, 5, 5));
        var p = b.Pad("pad", b.Input, Padding.Symmetric(1));
        var conv = b.Conv2d("conv", p, 2, 3, 1, Padding.Zero, 1, TestData.Uniform(1, 36));
        var pool = b.AvgPool("pool", p, 3, 3, 1, 1, Padding.Zero);
        var before = b.Build(b.Add("add", conv, pool));
        var after = FoldPad.Apply(before);
        Assert.That(TestData.Count<PadOp>(after), Is.EqualTo(1));
        TestData.AssertSameOutput(before, after);
    }

    [Test]
    public void DoesNotFoldPadUsedAsResidual()
    {
        var b = new GraphBuilder("pad_res", new TensorShape(2, 4, 4));
        var p = b.Pad("pad", b.Input, Padding.Symmetric(1));
        var conv = b.Conv2d("conv", p, 2, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 4));
        var nodes = b.Nodes.ToList();
        nodes[^1] = (Conv2dOp)nodes[^1] with { Residual = p };
        var before = new ModelGraph("pad_res", b.Input, nodes, conv);
        var after = FoldPad.Apply(before);
        Assert.That(TestData.Count<PadOp>(after), Is.EqualTo(1));
        TestData.AssertSameOutput(before, after);
    }
}
