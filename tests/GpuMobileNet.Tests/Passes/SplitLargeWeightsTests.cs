using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Passes;
using GpuMobileNet.Planning;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

/// <summary><see cref="SplitLargeWeights"/> on the CPU reference (the GPU runs are in Session/WeightPagesTests), and the
/// weight pages it makes room for (<see cref="WeightPacker"/>).</summary>
public class SplitLargeWeightsTests
{
    /// <summary>A dense layer of 50 x 30 against 1,000 floats: at most 500 per part (half a buffer), so 10 units, whole
    /// quads: 8; four parts of 8 (30 / 4 rounded up to a quad) joined by a concatenation into the layer's own value.</summary>
    [Test]
    public void SplitsADenseLayerIntoEqualQuadPartsWithTheSameOutput()
    {
        var b = new GraphBuilder("dense", new TensorShape(50, 1, 1));
        var before = b.Build(b.Dense("fc", b.Input, 30, TestData.Uniform(1, 1500), TestData.Uniform(2, 30), Activation.Relu));
        var after = SplitLargeWeights.Apply(before, 1000);
        var parts = after.Nodes.OfType<DenseOp>().ToList();
        Assert.That(parts.Select(d => d.OutFeatures), Is.EqualTo(new[] { 8, 8, 8, 6 }));
        Assert.That(parts.Select(d => d.Activation), Is.All.EqualTo(Activation.Relu));
        var concat = after.Nodes.OfType<ConcatOp>().Single();
        Assert.That(concat.Output, Is.SameAs(before.Output), "the graph's output stays the same value");
        TestData.AssertSameOutput(before, after);
    }

    /// <summary>An ungrouped convolution gets a quarter of a buffer per part (Winograd may transform its taps); grouped
    /// and residual convolutions and layers within their share stay whole.</summary>
    [Test]
    public void SplitsAnUngroupedConvolutionAndLeavesTheOthers()
    {
        var b = new GraphBuilder("conv", new TensorShape(8, 5, 6));
        var pad = Padding.Symmetric(1);
        var big = b.Conv2d("big", b.Input, 24, 3, 1, pad, 1, TestData.Uniform(1, 24 * 8 * 9), TestData.Uniform(2, 24));
        var grouped = b.Conv2d("grouped", big, 24, 3, 1, pad, 2, TestData.Uniform(3, 24 * 12 * 9));
        var small = b.Conv2d("small", grouped, 4, 1, 1, Padding.Zero, 1, TestData.Uniform(4, 96));
        var before = b.Build(small);
        var after = SplitLargeWeights.Apply(before, 2000);
        // 500 floats per part, 72 per channel: 6 channels, whole quads: 4; 24 channels in 6 parts of 4.
        Assert.That(after.Nodes.OfType<Conv2dOp>().Count(c => c.Name.StartsWith("big/part", StringComparison.Ordinal)), Is.EqualTo(6));
        Assert.That(after.Nodes.OfType<Conv2dOp>().Select(c => c.Name), Does.Contain("grouped").And.Contain("small"));
        TestData.AssertSameOutput(before, after);
    }

    [Test]
    public void LeavesAGraphWithinTheLimitAsItIs()
    {
        var b = new GraphBuilder("fits", new TensorShape(50, 1, 1));
        var before = b.Build(b.Dense("fc", b.Input, 30, TestData.Uniform(1, 1500)));
        Assert.That(SplitLargeWeights.Apply(before, 3000), Is.SameAs(before));
    }

    /// <summary>Offsets are relative to their page; a node moved to a new page leaves the old one as it was before it.</summary>
    [Test]
    public void PackerPagesHoldTheirBlocksAtPageOffsets()
    {
        // Blocks start at multiples of 16 elements (MemoryPlan.Alignment).
        var packer = new WeightPacker(4, pageCapacity: 24);
        float[] first = [1, 2, 3], second = [.. Enumerable.Range(4, 13).Select(i => (float)i)];
        Assert.That(packer.Add(first), Is.EqualTo(0));
        var mark = packer.Mark();
        Assert.That(packer.Add(second), Is.EqualTo(16));
        Assert.That(packer.PageOverflows, Is.True, "16 + 13 elements in a page of 24");
        packer.MoveToNewPage(mark);
        Assert.That(packer.Add(second), Is.EqualTo(0));
        Assert.That((packer.Page, packer.PageOverflows), Is.EqualTo((1, false)));
        var pages = packer.ToArrays(tailPadding: 2);
        Assert.That(pages[0], Is.EqualTo(first.Concat(new float[15])));
        Assert.That(pages[1], Is.EqualTo(second.Concat(new float[5])));
    }
}
