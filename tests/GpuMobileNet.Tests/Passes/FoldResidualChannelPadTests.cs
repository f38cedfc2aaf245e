using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Kernels;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

/// <summary><see cref="FoldResidualChannelPad"/>: BlazeFace's block, a shortcut padded with zero channels (a concatenation
/// with a zero block) added to a wider 1x1's output, loses the concatenation; the 1x1 reads the shortcut unpadded (fewer
/// quads, the rest adding zero) on the packed 1x1 and on the shared-memory GEMM, against the CPU oracle on the unfolded
/// graph (abs 1e-4 + rel 1e-4; fp16 storage 3e-3, fp16 1e-2; weights scaled so activations stay near 1), with no concat dispatch left. A pad that something else
/// reads too, or planar tensors, keep the concatenation.</summary>
public class FoldResidualChannelPadTests : GpuTest
{
    [TestCase(24, 4, false, 2, TestName = "pad 24 -> 28, batch 2")]
    [TestCase(36, 6, false, 1, TestName = "pad 36 -> 42 (quad-padded to 44)")]
    [TestCase(28, 4, true, 1, TestName = "max-pool shortcut 28 -> 32 on 9x11")]
    [TestCase(16, 16, true, 2, TestName = "max-pool shortcut 16 -> 32, batch 2")]
    public void PadLeavesTheGraph(int channels, int zeros, bool pooled, int batch)
    {
        var g = Block(channels, zeros, pooled, share: false);
        var folded = PassPipeline.Apply(g, PointwiseConvPackedKernelTests.Packed.Passes!.ResolveFor(cpuDevice: true));
        Assert.That(folded.Nodes.OfType<ConcatOp>(), Is.Empty, "the pad should be folded away");
        var conv = folded.Nodes.OfType<Conv2dOp>().Single(c => c.Residual is not null);
        Assert.That(conv.HasNarrowResidual, $"{conv} should read the unpadded shortcut");
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
        {
            var shaders = s.Dispatches.Select(d => d.Shader).ToList();
            Assert.That(shaders, Has.No.Member(ConcatKernel.Id.Shader));
            Ran.Kernel(s, PointwiseConvPackedKernel.NarrowResidualId, "project");
            Assert.That(((PointwiseConvPackedConstants)s.Dispatches.Single(d => d.Label == "project").Constants).ResC4, Is.EqualTo(channels / 4));
            Assert.That(shaders.Count(d => d == PointwiseConvPackedKernel.Id.Shader), Is.EqualTo(2), "the stem and the head on the common kernel");
        });
    }

    /// <summary>The narrow residual's and the channels-last store's code are in their own builds only: the common kernel's
    /// SPIR-V declares no specialisation constant 17 or 18 (that code in its store loop made every packed 1x1 6-8x slower
    /// on lavapipe).</summary>
    [Test]
    public void CommonKernelCarriesNoUnpaddedCode()
    {
        Assert.That(SpecIds(PointwiseConvPackedKernel.Id.Shader), Does.Not.Contain(17).And.Not.Contain(18));
        Assert.That(SpecIds(PointwiseConvPackedKernel.NarrowResidualId.Shader), Does.Contain(17));
        Assert.That(SpecIds(PointwiseConvPackedKernel.ChannelsLastId.Shader), Does.Contain(18));
    }

    // The SpecId decorations (OpDecorate = 71, SpecId = 1) of an embedded kernel's SPIR-V.
    private static List<int> SpecIds(string shader)
    {
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(GpuMobileNet.Vulkan.ShaderLibrary.Get(shader)).ToArray();
        var ids = new List<int>();
        for (int i = 5; i < words.Length; i += (int)(words[i] >> 16))
            if ((words[i] & 0xFFFF) == 71 && words[i + 2] == 1) ids.Add((int)words[i + 3]);
        return ids;
    }

    [TestCase(Precision.Float16Storage, 3e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Fp16(Precision precision, double tolerance) =>
        GpuVsCpu.Check(Device, Block(20, 8, false, share: false), 2, tolerance, tolerance,
            options: PointwiseConvPackedKernelTests.Packed with { Precision = precision });

    [Test]
    public void SharedMemoryGemmReadsTheNarrowResidual() =>
        GpuVsCpu.Check(Device, Block(24, 8, true, share: false), 2, 1e-4, 1e-4,
            options: PointwiseConvPackedKernelTests.Packed with { Kernels = new KernelChoice(Gemm: GemmVariant.SharedMemory) }, inspect: s =>
            {
                var shaders = s.Dispatches.Select(d => d.Shader).ToList();
                Assert.That(shaders, Has.No.Member(ConcatKernel.Id.Shader));
                Assert.That(shaders.Count(d => d == PointwiseConvSharedKernel.Id.Shader), Is.EqualTo(3), "the stem, the block's 1x1 and the head");
                Assert.That(((PointwiseConvSharedConstants)s.Dispatches.Single(d => d.Label == "project").Constants).ResC, Is.EqualTo(24));
            });

    [Test]
    public void PadReadTwiceStays()
    {
        var g = Block(24, 4, false, share: true);
        var folded = PassPipeline.Apply(g, PointwiseConvPackedKernelTests.Packed.Passes!.ResolveFor(cpuDevice: true));
        Assert.That(folded.Nodes.OfType<ConcatOp>().Count(), Is.EqualTo(1));
        GpuVsCpu.Check(Device, g, 1, 1e-4, 1e-4, options: PointwiseConvPackedKernelTests.Packed);
    }

    [Test]
    public void PlanarGraphKeepsThePad()
    {
        var g = Block(24, 4, false, share: false);
        var planar = PassPipeline.Apply(g, new PassOptions { PackChannels = false }.ResolveFor(cpuDevice: true));
        Assert.That(planar.Nodes.OfType<ConcatOp>().Count(), Is.EqualTo(1));
    }

    [Test]
    public void FoldedGraphAgreesWithTheUnfoldedOneOnTheOracle()
    {
        var g = Block(24, 8, true, share: false);
        var folded = PassPipeline.Apply(g, PointwiseConvPackedKernelTests.Packed.Passes!.ResolveFor(cpuDevice: true));
        var input = GpuVsCpu.RandomArray(2 * g.Input.Shape.Elements, 5);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(folded, input, 2), ReferenceExecutor.Run(g, input, 2), 1e-5, 1e-5, "folded vs unfolded");
    }

    /// <summary>BlazeFace's block on a 9x11 input: x = ReLU(1x1 stem), shortcut = x (or its 2x2 max pool) padded with
    /// <paramref name="zeros"/> zero channels, y = ReLU(1x1(depthwise 3x3 (stride 2 when pooled) of x) + shortcut), out =
    /// 1x1(y) to 8 channels (so that a width of other than whole quads is padded: graph outputs keep theirs);
    /// <paramref name="share"/>: the padded shortcut is also a graph output.</summary>
    internal static ModelGraph Block(int channels, int zeros, bool pooled, bool share)
    {
        var b = new GraphBuilder("blaze_block", new TensorShape(12, 9, 11));
        int wide = channels + zeros;
        var x = b.Conv2d("stem", b.Input, channels, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(12 * channels, 1, 0.3f), GpuVsCpu.RandomArray(channels, 2), Activation.Relu);
        int stride = pooled ? 2 : 1;
        var d = b.Conv2d("dw", x, channels, 3, stride, Padding.Symmetric(1), channels,
            GpuVsCpu.RandomArray(9 * channels, 3, 0.3f), GpuVsCpu.RandomArray(channels, 4));
        var p = b.Conv2d("project", d, wide, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(channels * wide, 5, 0.2f), GpuVsCpu.RandomArray(wide, 6));
        var shortcut = pooled ? b.MaxPool("pool", x, 2, 2, 2, 2, new Padding(0, 0, 1, 1)) : x;
        var padded = b.Concat("pad", [shortcut, null], [channels, zeros]);
        var sum = b.Add("sum", p, padded, Activation.Relu);
        var head = b.Conv2d("head", sum, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(wide * 8, 7, 0.2f), null);
        return share ? b.BuildPruned([head, padded]) : b.Build(head);
    }
}
