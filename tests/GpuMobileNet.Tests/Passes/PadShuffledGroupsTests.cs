using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Kernels;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

/// <summary><see cref="PadShuffledGroups"/>: the placement is a valid one for every group count and width (each logical
/// channel stored once, in its writer's block, and handed by the kernel's shuffle formula over the padded count to the
/// reader group and rank the logical shuffle gives it); ShuffleNetV1 widths whose bottleneck groups are not whole quads
/// (1.5 and 0.5 with g = 3, g = 2) compute the same on the oracle after the pass, and run the packed grouped kernel only,
/// on the device, against the oracle (fp32, abs 1e-4 + rel 1e-3 over the whole network); a grouped 1x1 read without a
/// shuffle (the Caffe ShuffleNet's first unit: 24 → 54 → depthwise → 216 in 3 groups of 18) is padded group by group in
/// place and runs packed, fp32 and fp16, with only the input's and output's layout conversions.</summary>
public class PadShuffledGroupsTests : GpuTest
{
    [Test]
    public void PlacementHandsEveryChannelToItsReader([Values(2, 3, 4, 8)] int groups, [Values(1, 3, 5, 6, 9, 10, 17, 25, 30, 45)] int width)
    {
        var (stored, column) = PadShuffledGroups.Placement(groups, width) ?? throw new AssertionException($"no placement for {groups} x {width}");
        int padded = column.Length / groups;
        Assert.That(padded % 4, Is.Zero);
        Assert.That(stored.Where(s => s >= 0).OrderBy(s => s), Is.EqualTo(Enumerable.Range(0, groups * width)), "each logical channel stored once");
        for (int p = 0; p < stored.Length; p++)
            if (stored[p] >= 0) Assert.That(stored[p] / width, Is.EqualTo(p / padded), $"channel {stored[p]} in its writer's block");
        Assert.That(column.Where(c => c >= 0).OrderBy(c => c), Is.EqualTo(Enumerable.Range(0, groups * width)), "each shuffled channel read once");
        for (int cp = 0; cp < column.Length; cp++)
        {
            if (column[cp] < 0) continue;
            int c = column[cp];
            Assert.That(c / width, Is.EqualTo(cp / padded), $"shuffled channel {c} reaches reader group {c / width}");
            int formula = cp % groups * padded + cp / groups;     // what the kernel reads for padded shuffled channel cp
            Assert.That(stored[formula], Is.EqualTo(c % groups * width + c / groups), $"shuffled channel {c} is the logical shuffle's");
        }
    }

    [TestCase(3, 1.5, 1)]
    [TestCase(3, 0.5, 2)]
    [TestCase(2, 1.0, 1)]
    [TestCase(4, 1.0, 1)]
    public void ShuffleNetV1RunsPaddedGroupsPacked(int groups, double scale, int batch)
    {
        var g = ShuffleNetV1.Create(groups, scale, 64, 10);
        var folded = PassPipeline.Apply(g, FoldChannelViewsTests.Packed);
        var reads = folded.Nodes.OfType<ShuffledReadConvOp>().ToList();
        Assert.That(reads, Is.Not.Empty);
        Assert.That(reads.Select(r => r.Input.Shape.C / r.ShuffleGroups % 4), Is.All.Zero, "every group of whole quads");
        var input = GpuVsCpu.RandomArray(batch * g.Input.Shape.Elements, 9);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(folded, input, batch), ReferenceExecutor.Run(g, input, batch), 1e-5, 1e-4, "padded vs original on the oracle");
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-3, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
        {
            var shaders = s.Dispatches.Select(d => d.Shader).ToList();
            Assert.That(shaders, Has.No.Member(PointwiseConvGroupedKernel.Id.Shader), "no planar grouped 1x1");
            Assert.That(shaders, Has.Member(PointwiseConvGroupedPackedKernel.Id.Shader));
        });
    }

    [TestCase(24, 54, 3, 216, 2, 11, 9, 1, Precision.Float32, TestName = "ncnn shufflenet's first unit: 54 in 3 groups of 18, stride 2")]
    [TestCase(16, 50, 2, 40, 1, 7, 6, 2, Precision.Float32, TestName = "2 groups of 25, stride 1, batch 2")]
    [TestCase(8, 30, 5, 20, 1, 5, 9, 1, Precision.Float32, TestName = "5 groups of 6, few output channels per group")]
    [TestCase(24, 54, 3, 216, 2, 9, 7, 1, Precision.Float16, TestName = "fp16: 3 groups of 18")]
    public void UnshuffledGroupsPadInPlace(int inC, int mid, int groups, int outC, int stride, int h, int w, int batch, Precision precision)
    {
        var b = new GraphBuilder("unshuffled", new TensorShape(inC, h, w));
        var x = b.Conv2d("pw", b.Input, mid, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(mid * inC, 1), GpuVsCpu.RandomArray(mid, 2), Activation.Relu);
        x = b.Conv2d("dw", x, mid, 3, stride, new Padding(1, 1, 1, 1), mid, GpuVsCpu.RandomArray(mid * 9, 3), GpuVsCpu.RandomArray(mid, 4));
        var y = b.Conv2d("gpw", x, outC, 1, 1, Padding.Zero, groups, GpuVsCpu.RandomArray(outC * mid / groups, 5), GpuVsCpu.RandomArray(outC, 6), Activation.Relu);
        var g = b.Build(y);
        var folded = PassPipeline.Apply(g, FoldChannelViewsTests.Packed);
        var reader = folded.Nodes.OfType<Conv2dOp>().Single(c => c.Name == "gpw");
        Assert.That(reader.InC / groups % 4, Is.Zero, "each group padded to whole quads");
        var input = GpuVsCpu.RandomArray(batch * g.Input.Shape.Elements, 9);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(folded, input, batch), ReferenceExecutor.Run(g, input, batch), 1e-5, 1e-4, "padded vs original on the oracle");
        double tolerance = precision == Precision.Float16 ? 2e-2 : 1e-4;
        GpuVsCpu.Check(Device, g, batch, tolerance, tolerance, options: PointwiseConvPackedKernelTests.Packed with { Precision = precision }, inspect: s =>
        {
            var shaders = s.Dispatches.Select(d => d.Shader).ToList();
            Assert.That(shaders, Has.Member(PointwiseConvGroupedPackedKernel.Id.Shader));
            Assert.That(shaders, Has.No.Member(PointwiseConvGroupedKernel.Id.Shader), "no planar grouped 1x1");
            Assert.That(shaders.Count(k => k == LayoutConvertKernel.Id.Shader), Is.EqualTo(2), string.Join(", ", shaders));
        });
    }
}
