using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Models;
using GpuMobileNet.Ops;
using GpuMobileNet.Passes;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

/// <summary>The channel-packing pass: which tensors become NC4HW4, where conversions go, and that the graph
/// still computes the same thing (the oracle ignores layouts, so any misplaced or missing op shows as a graph
/// that fails validation or differs).</summary>
public class PackChannelsTests
{
    [TestCase(0.35, 96)]
    [TestCase(1.0, 128)]
    public void MobileNetV2IsPackedFromTheStemToThePoolWithNoConversion(double alpha, int resolution)
    {
        var fused = PassPipeline.Apply(MobileNetV2.Create(alpha, resolution, 10, WeightInit.Random(3)), NoBlockFusion);
        var packed = PackChannels.Apply(fused);

        Assert.That(packed.Nodes.OfType<LayoutConvertOp>(), Is.Empty, "the stem writes NC4HW4 and the pooling reads it");
        var convs = packed.Nodes.OfType<Conv2dOp>().ToList();
        Assert.That((convs[0].Input.Layout, convs[0].Output.Layout), Is.EqualTo((TensorLayout.Nchw, TensorLayout.Nc4hw4)),
            "the 3x3 stride-2 stem reads the planar image and writes packed");
        Assert.That(convs.Skip(1).Select(c => (c.Input.Layout, c.Output.Layout)),
            Is.All.EqualTo((TensorLayout.Nc4hw4, TensorLayout.Nc4hw4)), "every pointwise and depthwise conv is packed");
        Assert.That(convs.Where(c => c.Residual is not null).Select(c => c.Residual!.Layout), Is.All.EqualTo(TensorLayout.Nc4hw4));
        var pool = packed.Nodes.OfType<AvgPoolOp>().Single();
        Assert.That((pool.Input.Layout, pool.Output.Layout), Is.EqualTo((TensorLayout.Nc4hw4, TensorLayout.Nchw)));
        Assert.That(packed.Output, Is.SameAs(fused.Output));
        TestData.AssertSameOutput(fused, packed);
    }

    [Test]
    public void ChannelCountsNotAMultipleOf4StayPlanar()
    {
        var b = new GraphBuilder("odd", new TensorShape(6, 5, 5));
        var x = b.Conv2d("pw", b.Input, 10, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 60));
        var y = b.Conv2d("dw", x, 10, 3, 1, Padding.Symmetric(1), 10, TestData.Uniform(2, 90));
        var g = b.Build(y);
        var packed = PackChannels.Apply(g);
        Assert.That(packed.Nodes, Is.EqualTo(g.Nodes));
    }

    [Test]
    public void AValueReadByPackedAndPlanarOpsIsConvertedOnceEachWay()
    {
        // The stem feeds two packed pointwise convs and a pooling, so it stays planar (it writes packed only when
        // packed convs alone read it). The packed sum of the convs feeds a softmax along the channels (planar; a pad
        // runs packed since 2026-12-07); pw1 also feeds a second one. Poolings read packed inputs as they are. (3 input channels: with whole quads the stem would
        // itself run packed, as Winograd or on conv2d_packed.)
        var b = new GraphBuilder("branches", new TensorShape(3, 6, 6));
        var stem = b.Conv2d("stem", b.Input, 8, 3, 1, Padding.Symmetric(1), 1, TestData.Uniform(1, 216));
        var pw1 = b.Conv2d("pw1", stem, 8, 1, 1, Padding.Zero, 1, TestData.Uniform(2, 64));
        var pw2 = b.Conv2d("pw2", stem, 8, 1, 1, Padding.Zero, 1, TestData.Uniform(3, 64));
        var sum = b.Add("sum", pw1, pw2, Activation.Relu);
        var softened = b.Add("softened", b.AxisSoftmax("soft", sum, 1, 8, 36), b.AxisSoftmax("soft2", pw1, 1, 8, 36));
        var pooled = b.Add("pooled", b.AvgPool("pool", sum, 2, 2, 2, 2, Padding.Zero), b.AvgPool("pool_stem", stem, 2, 2, 2, 2, Padding.Zero));
        var g = b.Build(b.Add("out", b.AvgPool("pool_softened", softened, 6, 6, 6, 6, Padding.Zero), b.GlobalAvgPool("gap", pooled)));

        var packed = PackChannels.Apply(g);
        var converts = packed.Nodes.OfType<LayoutConvertOp>().ToList();
        Assert.That(converts.Select(c => c.Input.Name), Is.EquivalentTo(new[] { "stem", "sum", "pw1" }),
            "stem packed once for both convs; the packed Add's output and pw1 unpacked once for the softmaxes");
        Assert.That(packed.Nodes.OfType<Conv2dOp>().Single(c => c.Name == "stem").Output.Layout, Is.EqualTo(TensorLayout.Nchw));
        Assert.That(packed.Nodes.OfType<AddOp>().Single(a => a.Name == "sum").Output.Layout, Is.EqualTo(TensorLayout.Nc4hw4),
            "an Add of two packed tensors stays packed");
        Assert.That(packed.Nodes.OfType<AvgPoolOp>().Single(p => p.Name == "pool").Input.Layout, Is.EqualTo(TensorLayout.Nc4hw4));
        Assert.That(packed.Nodes.OfType<AddOp>().Single(a => a.Name == "softened").Output.Layout, Is.EqualTo(TensorLayout.Nchw));
        TestData.AssertSameOutput(g, packed);
    }

    /// <summary>An activation of a tensor packed by then runs packed (no built-in network has a standalone one after
    /// fusion); of a tensor still planar it stays planar.</summary>
    [Test]
    public void AnActivationRunsPackedOnlyWhereItsInputIsPacked()
    {
        var b = new GraphBuilder("act", new TensorShape(8, 3, 5));
        // The input is packed only for "pw", after "on_planar" read it.
        var onPlanar = b.Activate("on_planar", b.Input, Activation.Relu6);
        var pw = b.Conv2d("pw", b.Input, 8, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 64));
        var onPacked = b.Activate("on_packed", pw, Activation.HardSwish);
        var g = b.Build(b.Add("join", onPacked, onPlanar));
        var packed = PackChannels.Apply(g);
        var acts = packed.Nodes.OfType<ActivationOp>().ToDictionary(a => a.Name);
        Assert.That((acts["on_packed"].Input.Layout, acts["on_packed"].Output.Layout), Is.EqualTo((TensorLayout.Nc4hw4, TensorLayout.Nc4hw4)));
        Assert.That((acts["on_planar"].Input.Layout, acts["on_planar"].Output.Layout), Is.EqualTo((TensorLayout.Nchw, TensorLayout.Nchw)));
        TestData.AssertSameOutput(g, packed);
    }

    [Test]
    public void APackedGraphOutputIsUnpackedUnderItsOwnName()
    {
        var b = new GraphBuilder("tail", new TensorShape(8, 3, 5));
        var y = b.Conv2d("pw", b.Input, 12, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 96), act: Activation.Relu6);
        var g = b.Build(y);
        var packed = PackChannels.Apply(g);
        Assert.That(packed.Nodes.Select(n => n.OpType), Is.EqualTo(new[] { "LayoutConvert", "Conv2d", "LayoutConvert" }));
        Assert.That(packed.Output, Is.SameAs(y));
        Assert.That(packed.Nodes[^1].Output, Is.SameAs(y));
        TestData.AssertSameOutput(g, packed);
    }

    [Test]
    public void APackedTensorWithTooFewChannelsIsRejectedNamingIt()
    {
        var input = new Value("input", new TensorShape(6, 2, 2));
        var bad = new Value("bad", new TensorShape(6, 2, 2), TensorLayout.Nc4hw4);
        var ex = Assert.Throws<InvalidGraphException>(() => new ModelGraph("g", input, [new LayoutConvertOp("pack", input, bad)], bad));
        Assert.That(ex!.Message, Does.Contain("'bad'").And.Contain("multiple of 4"));
    }

    /// <summary>On every built-in network, packing only relabels layouts and adds conversions: with the conversions
    /// taken out, the packed graph is the planar one node by node (op types, names, the values read and written), and
    /// every op got layouts that its provider's kernels run (<see cref="IOpProvider.SupportsLayouts"/>).</summary>
    [TestCaseSource(typeof(ModelZoo), nameof(ModelZoo.Names))]
    public void PackingKeepsEveryOpAndGivesItLayoutsItsKernelsRun(string model)
    {
        var planar = PassPipeline.Apply(ModelZoo.Create(model, 0.5, 96, 10, WeightInit.Random(5)), new PassOptions { PackChannels = false });
        var packed = PackChannels.Apply(planar);

        Assert.That(packed.Nodes.Where(n => n is not LayoutConvertOp).Select(Signature), Is.EqualTo(planar.Nodes.Select(Signature)));
        Assert.That(packed.Nodes.Where(n => !OpRegistry.For(n).SupportsLayouts(n)).Select(n => n.ToString()), Is.Empty,
            "ops whose kernels do not run the layouts packing gave them");
        Assert.That(packed.Nodes.Count(n => n is not LayoutConvertOp && n.Output.Layout == TensorLayout.Nc4hw4), Is.Positive,
            "no op was packed");
    }

    // An op's type, name and the names of the values it reads and writes, a packed copy named as its original.
    private static string Signature(Node n) =>
        $"{n.OpType} {n.Name}: {string.Join(", ", n.Inputs.Select(v => v.Name.Replace(".nc4hw4", "")))} -> {n.Output.Name}";

    private static readonly PassOptions NoBlockFusion = new(FuseDepthwisePointwise: false, FuseInvertedResidual: false) { PackChannels = false };
}
