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

/// <summary>shaders/pointwise_conv_grouped_packed.comp (channel packing on) against the CPU oracle: groups 2, 3, 4, 6 and
/// 8, group widths that are not multiples of the 16-channel tile (20 per group takes two 12-channel blocks) or not of 4
/// (ragged: 17, 10, 6, 3 per group, blocks straddling groups), odd planes,
/// batch > 1, bias, activations and a fused residual; read through a channel shuffle after a stride-1 or stride-2
/// depthwise (the <see cref="FoldChannelShuffle"/> pass), with the body NC4HW4 end to end (no conversion between the
/// ops). fp32 sums of up to 80 products: abs 1e-4 + rel 1e-4.</summary>
[OracleTestFor(typeof(ShuffledReadConvOp))]
internal class PointwiseConvGroupedPackedKernelTests : GpuTest
{
    private static readonly SessionOptions Packed = PointwiseConvPackedKernelTests.Packed;

    [TestCase(8, 16, 2, 5, 3, 2, false, Activation.None)]
    [TestCase(36, 36, 3, 7, 9, 2, true, Activation.Relu)]
    [TestCase(32, 64, 4, 9, 5, 1, false, Activation.Relu6)]
    [TestCase(64, 96, 8, 3, 3, 2, false, Activation.Relu)]
    [TestCase(240, 60, 3, 13, 11, 1, false, Activation.Relu)]
    [TestCase(60, 240, 3, 15, 15, 1, false, Activation.None)]
    [TestCase(96, 96, 8, 7, 7, 1, true, Activation.Relu)]
    [TestCase(272, 68, 4, 9, 7, 1, false, Activation.Relu, TestName = "ragged: 68 -> 17 per group (ShuffleNetV1 g=4)")]
    [TestCase(68, 272, 4, 7, 5, 2, false, Activation.None, TestName = "ragged: 17 -> 68 per group, batch 2")]
    [TestCase(20, 20, 2, 5, 3, 1, true, Activation.Relu, TestName = "ragged: 10 per group, residual")]
    [TestCase(24, 36, 6, 3, 5, 1, false, Activation.Relu6, TestName = "ragged: 4 -> 6 per group")]
    [TestCase(40, 12, 4, 5, 5, 2, false, Activation.None, TestName = "ragged: 10 -> 3 per group, blocks over 4 groups")]
    public void MatchesOracle(int inC, int outC, int groups, int h, int w, int batch, bool residual, Activation act)
    {
        var b = new GraphBuilder("grouped", new TensorShape(inC, h, w));
        var y = b.Conv2d("g", b.Input, outC, 1, 1, Padding.Zero, groups, GpuVsCpu.RandomArray(outC * inC / groups, 1),
            GpuVsCpu.RandomArray(outC, 2), residual ? Activation.None : act);
        if (residual) y = b.Add("add", y, b.Input, act);
        GpuVsCpu.Check(Device, b.Build(y), batch, 1e-4, 1e-4, options: Packed, inspect: s =>
        {
            var shaders = s.Dispatches.Select(d => d.Shader).ToList();
            Assert.That(shaders, Has.Member(PointwiseConvGroupedPackedKernel.Id.Shader));
            Assert.That(shaders, Has.No.Member(PointwiseConvGroupedKernel.Id.Shader));
        });
    }

    [TestCase(24, 3, 3, 1, 7, 5, 1)]
    [TestCase(48, 4, 4, 2, 9, 9, 2)]
    [TestCase(64, 8, 8, 1, 5, 7, 1)]
    [TestCase(60, 3, 3, 2, 13, 11, 1)]
    [TestCase(64, 8, 2, 2, 6, 7, 2)]
    [TestCase(68, 4, 4, 1, 7, 7, 1)]
    [TestCase(20, 2, 2, 2, 9, 7, 2)]
    public void ShuffledReadStaysPacked(int c, int shuffleGroups, int convGroups, int stride, int h, int w, int batch)
    {
        var g = ShuffleUnit(c, shuffleGroups, convGroups, stride, h, w);
        GpuVsCpu.Check(Device, g, batch, 1e-4, 1e-4, options: Packed, inspect: s =>
        {
            var shaders = s.Dispatches.Select(d => d.Shader).ToList();
            Assert.That(shaders, Has.Member(PointwiseConvGroupedPackedKernel.Id.Shader));
            Assert.That(shaders, Has.No.Member(ChannelShuffleKernel.Id.Shader), "the shuffle is folded into the read");
            // Packed at the input, unpacked at the output; nothing in between.
            Assert.That(shaders.Count(x => x == LayoutConvertKernel.Id.Shader), Is.EqualTo(2), string.Join(", ", shaders));
        });
    }

    [Test]
    public void TensorsNotOfWholeQuadsStayPlanar()
    {
        // 18 channels: not a multiple of 4, so the tensors cannot be packed. The grouped conv runs planar and the rest
        // of the graph still agrees.
        var g = ShuffleUnit(18, 2, 2, 1, 5, 5);
        var packedGraph = PassPipeline.Apply(g, new PassOptions { PackChannels = true });
        var conv = packedGraph.Nodes.OfType<ShuffledReadConvOp>().Single();
        Assert.That(conv.Input.Layout, Is.EqualTo(TensorLayout.Nchw));
        GpuVsCpu.Check(Device, g, 1, 1e-4, 1e-4, options: Packed);
    }

    [TestCase(Precision.Float16Storage, 2e-3)]
    [TestCase(Precision.Float16, 1e-2)]
    public void Fp16(Precision precision, double tolerance)
    {
        // 96 channels in 3 groups: 32 per group, so the fp16-arithmetic build folds its partial sums into fp32.
        var g = ShuffleUnit(96, 3, 3, 1, 5, 6);
        GpuVsCpu.Check(Device, g, 2, tolerance, tolerance, options: Packed with { Precision = precision });
    }

    internal static ModelGraph ShuffleUnit(int c, int shuffleGroups, int convGroups, int stride, int h, int w)
    {
        var b = new GraphBuilder("unit", new TensorShape(c, h, w));
        var x = b.Conv2d("g1", b.Input, c, 1, 1, Padding.Zero, convGroups, GpuVsCpu.RandomArray(c * c / convGroups, 5, 0.3f),
            GpuVsCpu.RandomArray(c, 6), Activation.Relu);
        var s = b.ChannelShuffle("shuffle", x, shuffleGroups);
        var d = b.Conv2d("dw", s, c, 3, stride, Padding.Symmetric(1), c, GpuVsCpu.RandomArray(c * 9, 1), GpuVsCpu.RandomArray(c, 3));
        var y = b.Conv2d("g2", d, c, 1, 1, Padding.Zero, convGroups, GpuVsCpu.RandomArray(c * c / convGroups, 2, 0.3f));
        return b.Build(stride == 1 ? b.Add("add", y, x, Activation.Relu) : y);
    }
}
