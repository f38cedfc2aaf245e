using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Kernels;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

/// <summary><see cref="FoldChannelsLastStore"/> and <see cref="ChannelsLastConvOp"/>: a TF head exported to ONNX (a packed
/// 1x1, then a Transpose to [H, W, C]) becomes one pointwise_conv_packed dispatch storing NHWC, with whole quads and with
/// channel counts that are not (the padding dropped in the store, no unpacking), against the CPU oracle on the unfolded
/// graph (abs 1e-4 + rel 1e-4; fp16 storage 3e-3, fp16 1e-2). Other permutations, and a convolution that something else
/// reads too, keep their transpose.</summary>
[OracleTestFor(typeof(ChannelsLastConvOp))]
public class FoldChannelsLastStoreTests : GpuTest
{
    [TestCase(16, 8, 8, 1, TestName = "head 16 channels on 8x8")]
    [TestCase(6, 8, 8, 2, TestName = "head 6 channels (padded to 8) on 8x8, batch 2")]
    [TestCase(2, 9, 7, 2, TestName = "head 2 channels on 9x7, batch 2")]
    [TestCase(36, 5, 3, 1, TestName = "head 36 channels on 5x3: three channel tiles")]
    public void HeadIsOneDispatch(int channels, int h, int w, int batch)
    {
        var g = Head(channels, h, w, [1, 2, 0], share: false);
        var folded = PassPipeline.Apply(g, PointwiseConvPackedKernelTests.Packed.Passes!.ResolveFor(cpuDevice: true));
        Assert.That(folded.Nodes.OfType<TransposeOp>(), Is.Empty, "the transpose should be folded away");
        Assert.That(folded.Nodes.OfType<ChannelsLastConvOp>().Single().Output.Shape, Is.EqualTo(new TensorShape(h, w, channels)));
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: PointwiseConvPackedKernelTests.Packed, inspect: s =>
        {
            Ran.Kernel(s, PointwiseConvPackedKernel.ChannelsLastId, "head");
            var head = s.Dispatches.Single(d => d.Label == "head");
            Assert.That(((PointwiseConvPackedConstants)head.Constants).OutNhwc, Is.EqualTo(channels), "the head stores channels-last");
            Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(TransposeKernel.Id.Shader));
            Assert.That(s.Dispatches.Count(d => d.Shader == LayoutConvertKernel.Id.Shader), Is.EqualTo(1), "only the session's input converts");
        });
    }

    [TestCase(Precision.Float16Storage, 3e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Fp16(Precision precision, double tolerance) =>
        GpuVsCpu.Check(Device, Head(6, 7, 9, [1, 2, 0], share: false), 2, tolerance, tolerance,
            options: PointwiseConvPackedKernelTests.Packed with { Precision = precision },
            inspect: s => Assert.That(s.Dispatches.Select(d => d.Shader), Has.No.Member(TransposeKernel.Id.Shader)));

    [TestCase(new[] { 2, 0, 1 }, false, TestName = "another permutation keeps its transpose")]
    [TestCase(new[] { 1, 2, 0 }, true, TestName = "a head read twice keeps its transpose")]
    public void TransposeStays(int[] perm, bool share)
    {
        var g = Head(8, 5, 6, perm, share);
        var folded = PassPipeline.Apply(g, PointwiseConvPackedKernelTests.Packed.Passes!.ResolveFor(cpuDevice: true));
        Assert.That(folded.Nodes.OfType<ChannelsLastConvOp>(), Is.Empty);
        GpuVsCpu.Check(Device, g, 1, 1e-4, 1e-4, options: PointwiseConvPackedKernelTests.Packed, inspect: s => Ran.Kernel(s, TransposeKernel.Id));
    }

    [Test]
    public void FoldedGraphAgreesWithTheUnfoldedOneOnTheOracle()
    {
        var g = Head(6, 9, 7, [1, 2, 0], share: false);
        var folded = PassPipeline.Apply(g, PointwiseConvPackedKernelTests.Packed.Passes!.ResolveFor(cpuDevice: true));
        Assert.That(folded.Nodes.OfType<ChannelsLastConvOp>().Count(), Is.EqualTo(1));
        var input = GpuVsCpu.RandomArray(2 * g.Input.Shape.Elements, 5);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(folded, input, 2), ReferenceExecutor.Run(g, input, 2), 1e-5, 1e-5, "folded vs unfolded");
    }

    /// <summary>12 x h x w → 1x1 to 16 (ReLU) → 1x1 head to <paramref name="channels"/> (bias) → Transpose by
    /// <paramref name="perm"/>; <paramref name="share"/>: the head's own output is a graph output too.</summary>
    internal static ModelGraph Head(int channels, int h, int w, int[] perm, bool share)
    {
        var b = new GraphBuilder("head", new TensorShape(12, h, w));
        var x = b.Conv2d("body", b.Input, 16, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(12 * 16, 1, 0.3f), GpuVsCpu.RandomArray(16, 2), Activation.Relu);
        var head = b.Conv2d("head", x, channels, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(16 * channels, 3, 0.3f), GpuVsCpu.RandomArray(channels, 4));
        var t = b.Transpose("nhwc", head, perm);
        return share ? b.BuildPruned([t, head]) : b.Build(t);
    }
}
