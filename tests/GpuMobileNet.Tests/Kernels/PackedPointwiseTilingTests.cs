using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary><see cref="PackedPointwiseTiling"/>: the per-layer tiling of the packed 1x1 kernels stays within what the
/// shaders and NIR take (at most 128 sums, no 16-channel tile and no more than 8 pixels under long activations,
/// workgroups of whole subgroups up to 64, every pixel covered) and never costs more by its model than the fixed 16 (12,
/// 8) x 8 tiling; and the kernels run the pixel tiles other than 8 it picks, narrower and wider (plain, residual,
/// squeeze-and-excite gated, gathering and scattering, grouped, ragged, read through a shuffle, batch 2, odd planes), as
/// the CPU oracle computes them: abs 1e-4 + rel 1e-4 (1e-5 + 1e-4 gated, as its own tests).</summary>
public class PackedPointwiseTilingTests : GpuTest
{
    private static readonly Activation[] Activations = [Activation.None, Activation.Relu6, Activation.HardSwish, Activation.Sigmoid];

    [TestCase(false)]
    [TestCase(true)]
    public void ModelledTilingStaysInBoundsAndNeverCostsMoreThanTheFixedOne(bool widePixels)
    {
        foreach (int hw in new[] { 1, 2, 5, 15, 49, 99, 143, 196, 784, 2025, 3136, 12544 })
            foreach (int outC in new[] { 4, 20, 24, 44, 60, 116, 232, 672, 1024 })
                foreach (int inC in new[] { 4, 16, 120, 960 })
                    foreach (var act in Activations)
                    {
                        var t = PackedPointwiseTiling.For(inC, outC, 1, act, hw, widePixels: widePixels);
                        var what = $"{inC} -> {outC}, {hw} pixels, {act}: {t}";
                        Assert.That(t.OcTile * t.Px, Is.LessThanOrEqualTo(PackedPointwiseTiling.MaxSums), what);
                        bool longActivation = act is Activation.HardSwish or Activation.Sigmoid;
                        int widest = widePixels && !longActivation ? PackedPointwiseTiling.MaxSums / t.OcTile : 8;
                        Assert.That(t.OcTile is 8 or 12 or 16 && t.Px >= 4 && t.Px <= widest, what);
                        Assert.That(t.LocalSize % 8 == 0 && t.LocalSize is >= 8 and <= KernelContext.WorkgroupSize, what);
                        Assert.That((long)t.GroupsX(hw) * t.PixelsPerGroup, Is.GreaterThanOrEqualTo(hw), what);
                        if (act is Activation.HardSwish or Activation.Sigmoid) Assert.That(t.OcTile, Is.Not.EqualTo(16), what);
                        var f = PackedPointwiseTiling.Fixed(outC, act, hw);
                        Assert.That(PackedPointwiseTiling.Cost(t, inC, outC, 1, hw), Is.LessThanOrEqualTo(PackedPointwiseTiling.Cost(f, inC, outC, 1, hw)), what);
                    }
    }

    [TestCase(116, 116, 196, 224, TestName = "14x14 (ShuffleNetV2 stage 3): 224 pixel slots, not 256")]
    [TestCase(232, 232, 49, 56, TestName = "7x7 (ShuffleNetV2 stage 4): 56 pixel slots, not 64")]
    public void SmallPlanesLeaveFewerEmptyPixelSlots(int inC, int outC, int hw, int slots)
    {
        var t = PackedPointwiseTiling.For(inC, outC, 1, Activation.Relu, hw);
        Assert.That(t.GroupsX(hw) * t.PixelsPerGroup, Is.EqualTo(slots), t.ToString());
        Assert.That(PackedPointwiseTiling.Fixed(outC, Activation.Relu, hw) is var f && f.GroupsX(hw) * f.PixelsPerGroup > slots, f.ToString());
    }

    [TestCase(40, 24, 9, 3, 2, false, TestName = "tiled pw 40->24 9x3 batch 2")]
    [TestCase(12, 36, 9, 11, 1, false, TestName = "tiled pw 12->36 9x11")]
    [TestCase(12, 12, 13, 11, 2, true, TestName = "tiled pw 12->12 13x11 batch 2, residual")]
    [TestCase(24, 24, 44, 44, 2, false, TestName = "tiled pw 24->24 44x44 batch 2 (8 channels x 16 pixels)")]
    public void PlainAndResidual(int inC, int outC, int h, int w, int batch, bool residual)
    {
        var g = ConvGraphs.Conv(new TensorShape(inC, h, w), outC, 1, 1, Padding.Zero, 1, true, Activation.Relu6, residual);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
            AssertModelledPixelTiles(s.Dispatches.Where(d => d.Shader == PointwiseConvPackedKernel.Id.Shader)
                .Select(d => ((PointwiseConvPackedConstants)d.Constants).Px)));
    }

    [Test]
    public void NarrowTilesTakeWiderPixelRowsOnlyUnderShortActivations()
    {
        Assert.That(PackedPointwiseTiling.For(24, 24, 1, Activation.Relu, 1936, widePixels: true).Px, Is.GreaterThan(8));
        Assert.That(PackedPointwiseTiling.For(24, 24, 1, Activation.Relu, 1936).Px, Is.LessThanOrEqualTo(8));
        Assert.That(PackedPointwiseTiling.For(24, 24, 1, Activation.HardSwish, 1936, widePixels: true).Px, Is.LessThanOrEqualTo(8));
    }

    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void WidePixelTileFp16(Precision precision, double tolerance)
    {
        var g = ConvGraphs.Conv(new TensorShape(24, 44, 44), 24, 1, 1, Padding.Zero, 1, true, Activation.Relu, residual: false);
        GpuVsCpu.Check(Device, g, 1, tolerance, tolerance, options: PointwiseConvPackedKernelTests.Packed with { Precision = precision }, inspect: s =>
            Assert.That(s.Dispatches.Where(d => d.Shader == PointwiseConvPackedKernel.Id.Shader)
                .Select(d => ((PointwiseConvPackedConstants)d.Constants).Px), Has.Some.GreaterThan(8)));
    }

    [Test]
    public void GatedReadBatchTwo()
    {
        // A squeeze-and-excite product folded into a 40 -> 24 1x1 over 9x3 pixels (the model picks 4 pixels a lane).
        var g = SmallOpGraphs.Build("se_gated", new TensorShape(4, 9, 3), (b, x) =>
        {
            var a = b.Conv2d("expand", x, 40, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(160, 1, 0.8f), act: Activation.HardSwish);
            var squeezed = b.Conv2d("squeeze", b.GlobalAvgPool("pool", a), 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(320, 2, 0.8f),
                GpuVsCpu.RandomArray(8, 3), Activation.Relu);
            var gate = b.Conv2d("excite", squeezed, 40, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(320, 4, 0.8f), GpuVsCpu.RandomArray(40, 5), Activation.HardSigmoid);
            return b.Conv2d("project", b.Mul("scale", a, gate), 24, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(960, 6, 0.5f), GpuVsCpu.RandomArray(24, 7));
        });
        GpuVsCpu.Check(Device, g, 2, 1e-5, 1e-4, inputScale: 3, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
        {
            Assert.That(s.Graph.Nodes.OfType<GatedPointwiseOp>().Count(), Is.EqualTo(1));
            var gated = s.Dispatches.Single(d => d.Label == "project");
            Assert.That((bool)((PointwiseConvPackedConstants)gated.Constants).Gated);
            AssertModelledPixelTiles([((PointwiseConvPackedConstants)gated.Constants).Px]);
        });
    }

    [TestCase(240, 60, 3, 13, 11, 1, TestName = "tiled grouped 240->60 g3 13x11")]
    [TestCase(68, 272, 4, 7, 5, 2, TestName = "tiled grouped ragged 17->68 per group 7x5 batch 2")]
    public void Grouped(int inC, int outC, int groups, int h, int w, int batch)
    {
        var b = new GraphBuilder("grouped", new TensorShape(inC, h, w));
        var y = b.Conv2d("g", b.Input, outC, 1, 1, Padding.Zero, groups, GpuVsCpu.RandomArray(outC * inC / groups, 1),
            GpuVsCpu.RandomArray(outC, 2), Activation.Relu);
        GpuVsCpu.Check(Device, b.Build(y), batch, 1e-4, 1e-4, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
            AssertModelledPixelTiles(s.Dispatches.Where(d => d.Shader == PointwiseConvGroupedPackedKernel.Id.Shader)
                .Select(d => ((PointwiseConvGroupedPackedConstants)d.Constants).Px)));
    }

    [Test]
    public void GroupedThroughAShuffleBatchTwo()
    {
        var g = PointwiseConvGroupedPackedKernelTests.ShuffleUnit(60, 3, 3, 1, 13, 11);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
        {
            var grouped = s.Dispatches.Where(d => d.Shader == PointwiseConvGroupedPackedKernel.Id.Shader)
                .Select(d => (PointwiseConvGroupedPackedConstants)d.Constants).ToList();
            Assert.That(grouped.Any(c => c.Shuffle > 1), "one reads through the shuffle");
            AssertModelledPixelTiles(grouped.Select(c => c.Px));
        });
    }

    [Test]
    public void GatherAndScatterBatchTwo()
    {
        // A ShuffleNetV2 unit with 6-channel halves at 13x11: its 1x1s gather their input quads and write into the pool.
        var g = MappedConvKernelTests.ShuffleUnit(12, 13, 11);
        GpuVsCpu.Check(Device, g, 2, 1e-4, 1e-4, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
        {
            var mapped = s.Dispatches.Where(d => d.Shader == PointwiseConvPackedKernel.Id.Shader)
                .Select(d => (PointwiseConvPackedConstants)d.Constants).ToList();
            Assert.That(mapped.Any(c => c.Gather) && mapped.Any(c => c.Scatter), "gathering and scattering 1x1s");
            AssertModelledPixelTiles(mapped.Where(c => c.Gather || c.Scatter).Select(c => c.Px));
        });
    }

    // The test is about the tiles the model picks other than 8 pixels: if it stops picking them for these shapes, pick other shapes.
    private static void AssertModelledPixelTiles(IEnumerable<int> px)
    {
        var list = px.ToList();
        Assert.That(list, Is.Not.Empty);
        Assert.That(list.Any(p => p != PointwiseConvPackedKernel.PixelsPerInvocation), $"pixel tiles {string.Join(", ", list)}: all 8");
    }
}
