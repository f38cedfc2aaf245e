using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

/// <summary>Issue 17 item 2 on GPUs: with the options a GPU resolves ("auto": blocks fused, NCHW), a network whose
/// splits, concatenations and shuffles would be copy dispatches in NCHW but all fold into channel views when packed runs
/// packed, so no copy is left; networks that have none (MobileNetV2) or whose copies packing cannot remove keep the GPU
/// form (ShuffleNetV1 with groups writes its concatenations in NCHW too: stays planar). Explicit options are obeyed as given. Checked on the graph (no device) and on the oracle.</summary>
public class GpuChannelViewsTests
{
    private static readonly PassOptions Gpu = new PassOptions().ResolveFor(cpuDevice: false);

    private static IEnumerable<TestCaseData> FoldingNetworks()
    {
        yield return new TestCaseData("shufflenet_v2", (Func<ModelGraph>)(() => ShuffleNetV2.Create(1.0, 48, 10))).SetName("GPU auto packs: ShuffleNetV2");
        yield return new TestCaseData("ghostnet", (Func<ModelGraph>)(() => GhostNet.Create(1.0, 48, 10))).SetName("GPU auto packs: GhostNet");
        // g = 1: on a GPU its depthwise and last 1x1 become a fused block, whose output cannot be a concatenation's part.
        yield return new TestCaseData("shufflenet_v1_g1", (Func<ModelGraph>)(() => ShuffleNetV1.Create(1, 1.0, 48, 10))).SetName("GPU auto packs: ShuffleNetV1 g=1");
    }

    [TestCaseSource(nameof(FoldingNetworks))]
    public void NetworksWhoseCopiesFoldRunPackedWithoutCopies(string model, Func<ModelGraph> create)
    {
        var g = create();
        var planar = PassPipeline.Apply(g, Gpu with { PackWhereViewsFold = false });
        Assert.That(PassPipeline.HasChannelCopies(planar), Is.True, $"{model}: NCHW keeps its copies (what the rule avoids)");
        var chosen = PassPipeline.Apply(g, Gpu);
        Assert.That(chosen.Nodes.Where(n => n is SliceChannelsOp or ConcatOp or ChannelShuffleOp or ShuffledConcatOp).Select(n => n.Name), Is.Empty, model);
        Assert.That(chosen.Nodes.Count(n => n is MappedConvOp or ConcatPartWriteOp), Is.Positive, $"{model}: views folded into the convolutions");
        Assert.That(chosen.Nodes.OfType<FusedBlockOp>(), Is.Empty, $"{model}: packed form, no NCHW fused blocks");
        var input = GpuVsCpu.RandomArray(g.Input.Shape.Elements, 5);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(chosen, input, 1), ReferenceExecutor.Run(g, input, 1), 1e-5, 1e-4, $"{model}: GPU form vs original");
    }

    [Test]
    public void NetworksWithoutCopiesKeepTheGpuForm()
    {
        var g = MobileNetV2.Create(0.35, 64, 10);
        var chosen = PassPipeline.Apply(g, Gpu);
        Assert.That(chosen.Nodes.OfType<FusedBlockOp>(), Is.Not.Empty, "MobileNetV2 on a GPU: fused blocks");
        Assert.That(chosen.Nodes.Any(n => n.Output.Layout != TensorLayout.Nchw), Is.False, "MobileNetV2 on a GPU: NCHW");
    }

    [Test]
    public void GroupedShuffleNetV1KeepsTheGpuFormWithoutCopies()
    {
        var chosen = PassPipeline.Apply(ShuffleNetV1.Create(3, 1.0, 48, 10), Gpu);
        Assert.That(PassPipeline.HasChannelCopies(chosen), Is.False, "concatenations written by their parts, shuffles read through");
        Assert.That(chosen.Nodes.Any(n => n.Output.Layout != TensorLayout.Nchw), Is.False, "NCHW: nothing to gain from packing");
    }

    [Test]
    public void ExplicitOptionsAreObeyed()
    {
        var g = ShuffleNetV2.Create(0.5, 48, 10);
        var asked = new PassOptions { PackChannels = false, FuseDepthwisePointwise = true, FuseInvertedResidual = true }.ResolveFor(cpuDevice: false);
        Assert.That(PassPipeline.HasChannelCopies(PassPipeline.Apply(g, asked)), Is.True, "planar asked for: planar, copies and all");
        Assert.That(new PassOptions().ResolveFor(cpuDevice: true).PackWhereViewsFold, Is.False, "a CPU device packs anyway");
    }
}
