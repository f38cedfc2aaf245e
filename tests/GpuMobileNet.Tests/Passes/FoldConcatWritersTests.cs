using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Planning;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Kernels;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

/// <summary><see cref="FoldConcatWriters"/> on the CPU oracle: ShuffleNetV1's packed stride-2 concatenations become two
/// writers into one buffer that the planner allocates once (the second writer in place over the first), the folded graph
/// computes what the original computes, and a concatenation stays a copy where a part is planar or read elsewhere.
/// (Resolutions of 48 and more: at 32 stage 4 is one pixel, its 1x1 runs on the dense kernel and its concatenation stays.)</summary>
public class FoldConcatWritersTests
{
    [TestCase(3, 1.0, 40, 2)]
    [TestCase(1, 1.0, 33, 1)]
    [TestCase(8, 1.0, 48, 1)]
    [TestCase(4, 2.0, 48, 1)]
    public void ShuffleNetV1ConcatenationsBecomeWritersOfOneBuffer(int groups, double scale, int resolution, int batch)
    {
        var g = ShuffleNetV1.Create(groups, scale, resolution, classes: 10);
        var folded = PassPipeline.Apply(g, FoldChannelViewsTests.Packed);
        Assert.That(folded.Nodes.OfType<ConcatOp>(), Is.Empty);
        var writers = folded.Nodes.OfType<ConcatPartWriteOp>().ToList();
        Assert.That(writers, Has.Count.EqualTo(6), "two writers per stride-2 unit");
        Assert.That(writers.Select(w => w.Part.GetType().Name).Distinct(), Is.EquivalentTo(new[]
            { nameof(AvgPoolOp), groups > 1 ? nameof(ShuffledReadConvOp) : nameof(Conv2dOp) }));
        // The branch runs first and makes the buffer; the shortcut's pool writes its quads in place over it.
        var liveness = Liveness.Compute(folded, InPlacePolicy.Default);
        foreach (var w in writers.Where(w => w.Into is not null))
            Assert.That(liveness.StorageOf(w.Output), Is.SameAs(liveness.StorageOf(w.Into!)), w.Name);
        var plan = ReusePlanner.Plan(folded, batch);
        foreach (var w in writers.Where(w => w.Into is not null))
            Assert.That(plan.OffsetOf(w.Output), Is.EqualTo(plan.OffsetOf(w.Into!)), w.Name);
        var input = GpuVsCpu.RandomArray(batch * g.Input.Shape.Elements, 3);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(folded, input, batch), ReferenceExecutor.Run(g, input, batch), 1e-5, 1e-4, "folded vs original on the oracle");
    }

    [TestCase(3, 0.5, TestName = "g=3 width 0.5: stage 2 (mid 30, padded to 3 x 12) packed")]
    [TestCase(2, 1.5, TestName = "g=2 width 1.5: stage 3 (mid 150, padded to 2 x 76) packed")]
    public void APaddedStageWritesItsConcatenationPacked(int groups, double scale)
    {
        var g = ShuffleNetV1.Create(groups, scale, 48, classes: 10);
        var folded = PassPipeline.Apply(g, FoldChannelViewsTests.Packed);
        Assert.That(folded.Nodes.OfType<ConcatOp>(), Is.Empty);
        var writers = folded.Nodes.OfType<ConcatPartWriteOp>().ToList();
        Assert.That(writers, Has.Count.EqualTo(6));
        Assert.That(writers.Count(w => w.Output.Layout == TensorLayout.Nchw), Is.Zero, "PadShuffledGroups leaves no planar bottleneck");
        var input = GpuVsCpu.RandomArray(g.Input.Shape.Elements, 4);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(folded, input), ReferenceExecutor.Run(g, input), 1e-5, 1e-4, "folded vs original on the oracle");
    }

    [Test]
    public void APaddedPlainBottleneckWritesItsConcatenation()
    {
        // g = 1, width 0.5: stage 2's bottleneck has 18 channels; QuadPadding pads it to 20, so it runs packed and its
        // last 1x1 writes its part of the concatenation like the others.
        var g = ShuffleNetV1.Create(1, 0.5, 48, classes: 10);
        var folded = PassPipeline.Apply(g, FoldChannelViewsTests.Packed);
        Assert.That(folded.Nodes.OfType<ConcatOp>(), Is.Empty);
        Assert.That(folded.Nodes.OfType<ConcatPartWriteOp>().Count(), Is.EqualTo(6));
        var input = GpuVsCpu.RandomArray(g.Input.Shape.Elements, 4);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(folded, input), ReferenceExecutor.Run(g, input), 1e-5, 1e-4, "folded vs original on the oracle");
    }

    [Test]
    public void APlainPlanarOneByOneKeepsTheCopy()
    {
        // Planar, unfused: the branch's last 1x1 is a plain planar one, whose kernels may split a layer into dispatches
        // (no output stride there), so each concatenation stays a copy.
        var g = ShuffleNetV1.Create(1, 0.5, 48, classes: 10);
        var planar = PassPipeline.Apply(g, FoldChannelViewsTests.Packed with { PackChannels = false });
        Assert.That(planar.Nodes.OfType<ConcatOp>().Count(), Is.EqualTo(3));
    }

    [Test]
    public void APartReadElsewhereKeepsTheCopy()
    {
        var b = new GraphBuilder("shared", new TensorShape(8, 5, 5));
        var x = b.Conv2d("in", b.Input, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(64, 1));
        var pool = b.AvgPool("pool", x, 3, 3, 1, 1, Padding.Symmetric(1));
        var conv = b.Conv2d("conv", x, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(64, 2));
        var joined = b.Concat("concat", [pool, conv], [8, 8]);
        var g = b.Build(b.Add("add", b.Conv2d("out", joined, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(128, 3)), conv));
        var folded = PassPipeline.Apply(g, FoldChannelViewsTests.Packed);
        Assert.That(folded.Nodes.OfType<ConcatPartWriteOp>(), Is.Empty);
        Assert.That(folded.Nodes.OfType<ConcatOp>().Count(), Is.EqualTo(1));
        Assert.That(FoldConcatWriters.Apply(folded), Is.SameAs(folded));
    }

    [Test]
    public void OffWithTheChannelViewsOption()
    {
        var g = ConcatPartWriteKernelTests.StrideTwoUnit(3, 24, 96, 5, 5, branchFirst: false);
        var folded = PassPipeline.Apply(g, FoldChannelViewsTests.Packed with { FoldChannelViews = false });
        Assert.That(folded.Nodes.OfType<ConcatPartWriteOp>(), Is.Empty);
        Assert.That(folded.Nodes.OfType<ConcatOp>().Count(), Is.EqualTo(1));
    }
}
