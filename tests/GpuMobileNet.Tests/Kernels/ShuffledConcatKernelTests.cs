using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>shaders/concat_shuffle.comp (made by <see cref="FoldChannelShuffle"/> from Concat → ChannelShuffle) against
/// the oracle of the unfolded graph: unequal and odd parts, three parts, odd planes, batch > 1; a copy is exact.</summary>
[OracleTestFor(typeof(ShuffledConcatOp))]
public class ShuffledConcatKernelTests : GpuTest
{
    [TestCase(new[] { 3, 5 }, 2, 5, 3, 2)]
    [TestCase(new[] { 4, 2, 6 }, 3, 1, 1, 1)]
    [TestCase(new[] { 29, 29 }, 2, 7, 7, 2)]
    [TestCase(new[] { 6, 6 }, 4, 3, 2, 3)]
    public void MatchesOracle(int[] parts, int groups, int h, int w, int batch)
    {
        var g = ConcatThenShuffle(parts, groups, h, w);
        var folded = FoldChannelShuffle.Apply(g);
        Assert.That(folded.Nodes.OfType<ShuffledConcatOp>().Count(), Is.EqualTo(1));
        Assert.That(folded.Nodes.OfType<ChannelShuffleOp>(), Is.Empty);
        Assert.That(folded.Nodes.OfType<ConcatOp>(), Is.Empty);

        var input = GpuVsCpu.RandomArray(batch * g.Input.Shape.Elements, 5);
        Assert.That(ReferenceExecutor.Run(folded, input, batch), Is.EqualTo(ReferenceExecutor.Run(g, input, batch)), "folded graph on the oracle");
        GpuVsCpu.Check(Device, g, batch, 0, 0, inspect: s => Ran.Kernel(s, ShuffledConcatKernel.Id));
    }

    [Test]
    public void ConcatWithASecondReaderStays()
    {
        var b = new GraphBuilder("kept", new TensorShape(8, 3, 3));
        var a = b.SliceChannels("a", b.Input, 0, 4);
        var c = b.Concat("c", [a, b.SliceChannels("b", b.Input, 4, 4)], [4, 4]);
        var g = b.Build(b.Add("add", b.ChannelShuffle("s", c, 2), c));
        Assert.That(FoldChannelShuffle.Apply(g).Nodes.OfType<ConcatOp>().Count(), Is.EqualTo(1));
    }

    // The parts are channel ranges of the input through a 1x1 depthwise scale each, so each is its own tensor.
    private static ModelGraph ConcatThenShuffle(int[] parts, int groups, int h, int w)
    {
        var b = new GraphBuilder("concat_shuffle", new TensorShape(parts.Sum(), h, w));
        var values = new List<Value?>();
        int first = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            var slice = b.SliceChannels($"slice{i}", b.Input, first, parts[i]);
            values.Add(b.Conv2d($"scale{i}", slice, parts[i], 1, 1, Padding.Zero, parts[i], GpuVsCpu.RandomArray(parts[i], i + 1)));
            first += parts[i];
        }
        return b.Build(b.ChannelShuffle("shuffle", b.Concat("concat", values, parts), groups));
    }
}

/// <summary>shaders/concat.comp on channel-packed parts (whole quads are contiguous in NC4HW4 as in NCHW): a
/// GhostNet-style module, 1x1 conv then a depthwise of it, concatenated, stays packed with no layout conversion.</summary>
public class PackedConcatTests : GpuTest
{
    [TestCase(8, 5, 3, 2)]
    [TestCase(12, 7, 7, 1)]
    public void GhostModuleStaysPackedAndMatchesOracle(int c, int h, int w, int batch)
    {
        var b = new GraphBuilder("ghost", new TensorShape(c, h, w));
        var primary = b.Conv2d("primary", b.Input, c, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(c * c, 1), null, Activation.Relu);
        var cheap = b.Conv2d("cheap", primary, c, 3, 1, Padding.Symmetric(1), c, GpuVsCpu.RandomArray(c * 9, 2));
        var joined = b.Concat("concat", [primary, cheap], [c, c]);
        var g = b.Build(b.Conv2d("next", joined, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(8 * 2 * c, 3)));
        // FoldChannelViews would make the two convolutions write the concatenation themselves (MappedConvKernelTests):
        // off here, so the packed concat kernel, still used where a concatenation does not fold, is what runs.
        var packed = PassPipeline.Apply(g, new PassOptions { PackChannels = true, FuseDepthwisePointwise = false, FuseInvertedResidual = false, FoldChannelViews = false });
        Assert.That(packed.Nodes.OfType<ConcatOp>().Single().Output.Layout, Is.EqualTo(TensorLayout.Nc4hw4));
        Assert.That(packed.Nodes.OfType<LayoutConvertOp>().Count(), Is.EqualTo(2), "one conversion in, one out");
        GpuVsCpu.Check(Device, g, batch, 1e-5, 1e-4, options: new SessionOptions { Passes = new PassOptions { PackChannels = true, FoldChannelViews = false } },
            inspect: s => Ran.Kernel(s, ConcatKernel.Id, "concat"));
    }
}
