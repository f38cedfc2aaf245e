using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

/// <summary><see cref="FoldChannelViews"/> on the CPU oracle: the folded graph (channel tables, writers into shared
/// buffers, padded branches) computes what the original computes, and no split, concatenation or shuffle is left.</summary>
public class FoldChannelViewsTests
{
    internal static readonly PassOptions Packed = new() { PackChannels = true, FuseDepthwisePointwise = false, FuseInvertedResidual = false };

    [TestCase(0.5, 64, 1)]
    [TestCase(1.0, 40, 2)]
    public void ShuffleNetV2FoldsEveryCopyAndKeepsItsOutput(double scale, int resolution, int batch)
    {
        var g = ShuffleNetV2.Create(scale, resolution, classes: 10);
        var folded = PassPipeline.Apply(g, Packed);
        Assert.That(folded.Nodes.Where(n => n is SliceChannelsOp or ConcatOp or ChannelShuffleOp or ShuffledConcatOp), Is.Empty);
        var mapped = folded.Nodes.OfType<MappedConvOp>().ToList();
        TestContext.Out.WriteLine(string.Join("\n", mapped.Select(m => $"{m.Name} gather=[{string.Join(",", m.SourceQuads ?? [])}] target=[{string.Join(",", m.TargetQuads ?? [])}] {m.Source.Name} -> {m.Output.Name}")));
        Assert.That(mapped.Count(m => m.TargetQuads is not null), Is.EqualTo(3 * 2 + 13), "two writers per stride-2 unit, one per stride-1 unit");
        Assert.That(mapped.Count(m => m.SourceQuads is not null && m.TargetQuads is null), Is.EqualTo(13 + 2 + 1), "each stride-1 unit's first 1x1, the next stage's and conv5");
        var input = GpuVsCpu.RandomArray(batch * g.Input.Shape.Elements, 3);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(folded, input, batch), ReferenceExecutor.Run(g, input, batch), 1e-5, 1e-4, "folded vs original on the oracle");
    }

    [TestCase(1.5, 33)]
    [TestCase(2.0, 32)]
    public void WiderShuffleNetV2sKeepTheirOutput(double scale, int resolution)
    {
        var g = ShuffleNetV2.Create(scale, resolution, classes: 10);
        var folded = PassPipeline.Apply(g, Packed);
        Assert.That(folded.Nodes.OfType<MappedConvOp>(), Is.Not.Empty);
        var input = GpuVsCpu.RandomArray(g.Input.Shape.Elements, 4);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(folded, input), ReferenceExecutor.Run(g, input), 1e-5, 1e-4, "folded vs original on the oracle");
    }

    [TestCase(1.0, 32)]
    [TestCase(1.3, 32)]
    public void GhostNetWritesItsConcatenationsWhereTheyHoldWholeQuads(double width, int resolution)
    {
        // A ghost module read as it is keeps concatenation order: it folds only where both halves are whole quads
        // (all of them at 1.0; at 1.3 halves such as 26 channels stay a concatenation).
        var g = GhostNet.Create(width, resolution, classes: 10);
        var folded = PassPipeline.Apply(g, Packed);
        int oddHalves = g.Nodes.OfType<ConcatOp>().Count(c => c.Channels.Any(ch => ch % 4 != 0));
        Assert.That(folded.Nodes.OfType<ConcatOp>().Count(), Is.EqualTo(oddHalves));
        Assert.That(folded.Nodes.OfType<MappedConvOp>().Count(), Is.EqualTo(2 * (g.Nodes.OfType<ConcatOp>().Count() - oddHalves)));
        if (width == 1.0) Assert.That(oddHalves, Is.Zero);
        var input = GpuVsCpu.RandomArray(g.Input.Shape.Elements, 5);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(folded, input), ReferenceExecutor.Run(g, input), 1e-5, 1e-4, "folded vs original on the oracle");
    }

    [Test]
    public void AWriterOfOddWidthThatCannotBePaddedLeavesTheGraphAsItIs()
    {
        // Two 1x1 convolutions of 6 channels concatenated and shuffled, read by a 1x1: the writers' 6 channels are not
        // whole quads and no depthwise chain follows them to pad; the packed kernels could not run the folded graph.
        var b = new GraphBuilder("odd", new TensorShape(6, 3, 3));
        var left = b.Conv2d("l", b.Input, 6, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(36, 1));
        var right = b.Conv2d("r", b.Input, 6, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(36, 2));
        var x = b.ChannelShuffle("s", b.Concat("c", [left, right], [6, 6]), 2);
        var g = b.Build(b.Conv2d("q", x, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(96, 3)));
        Assert.That(FoldChannelViews.Apply(g), Is.SameAs(g));
    }

    [Test]
    public void ViewsThatCannotBeReadInPlaceAreGathered()
    {
        // Like a ShuffleNetV2 unit, but the branch's 1x1 reads the pool it would write into and the half it reads is read
        // again afterwards by an add, which cannot read a view: the concatenation stays, its view part and the add's
        // half are gathered from the pool, and the rest stays folded.
        var b = new GraphBuilder("late_reader", new TensorShape(8, 3, 3));
        var left = b.Conv2d("l", b.Input, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(64, 1));
        var right = b.Conv2d("r", b.Input, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(64, 2));
        var x = b.ChannelShuffle("s", b.Concat("c", [left, right], [8, 8]), 2);
        var half = b.SliceChannels("h0", x, 0, 8);
        var other = b.SliceChannels("h1", x, 8, 8);
        var branch = b.Conv2d("p", other, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(64, 3));
        var joined = b.Concat("j", [half, branch], [8, 8]);
        var g = b.Build(b.Add("late", b.Conv2d("q", joined, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(128, 4)), other));
        var folded = FoldChannelViews.Apply(g);
        Assert.That(folded.Nodes.OfType<GatherChannelsOp>().Select(n => n.Output.Name), Is.EquivalentTo(new[] { "h0", "h1" }), string.Join(", ", folded.Nodes));
        Assert.That(folded.Nodes.Where(n => n is SliceChannelsOp or ChannelShuffleOp), Is.Empty);
        var input = GpuVsCpu.RandomArray(2 * g.Input.Shape.Elements, 6);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(folded, input, 2), ReferenceExecutor.Run(g, input, 2), 1e-5, 1e-4, "folded vs original on the oracle");
    }
}
