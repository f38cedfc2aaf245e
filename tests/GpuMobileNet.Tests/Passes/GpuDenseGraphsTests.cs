using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Import.Ncnn;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Import.Ncnn;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

/// <summary>Issue 25 item 5 on GPUs: with the options a GPU resolves ("auto": blocks fused, NCHW), a dense-convolution
/// graph (ResNet, a YOLO) has no blocks to fuse and runs channel-packed, as on CPU devices, so its convolutions reach
/// Winograd and the shared-memory GEMMs rather than planar conv2d_tiled; networks with fused blocks (MobileNetV2) keep
/// the GPU form (<see cref="GpuChannelViewsTests"/>). Checked on the graph (no device) and on the oracle.</summary>
public class GpuDenseGraphsTests
{
    private static readonly PassOptions Gpu = new PassOptions().ResolveFor(cpuDevice: false);

    private static IEnumerable<TestCaseData> DenseNetworks()
    {
        yield return new TestCaseData("resnet18", (Func<ModelGraph>)(() => ModelZoo.Create("resnet18", 0.25, 48, 10, WeightInit.Random(3))), true)
            .SetName("GPU auto packs: ResNet-18");
        // Its Crop layers fix the input at 416x416, too large for the oracle in a fast test: the graph only.
        yield return new TestCaseData("yolov4-tiny", (Func<ModelGraph>)(() =>
            NcnnImporter.Load(NcnnPeer.Param("yolov4-tiny"), null, new NcnnImportOptions { InputWidth = 416, InputHeight = 416 }).Graph), false)
            .SetName("GPU auto packs: ncnn yolov4-tiny");
    }

    [TestCaseSource(nameof(DenseNetworks))]
    public void DenseConvolutionGraphsRunPacked(string model, Func<ModelGraph> create, bool oracle)
    {
        var g = create();
        var planar = PassPipeline.Apply(g, Gpu with { PackWhereViewsFold = false });
        Assert.That(PassPipeline.IsDenseConvolutionGraph(planar), $"{model}: a dense-convolution graph");
        var chosen = PassPipeline.Apply(g, Gpu);
        var convs = chosen.Nodes.OfType<Conv2dOp>().Where(c => PassPipeline.IsFullConvolutionPastStem(c, chosen)).ToList();
        Assert.That(convs, Is.Not.Empty, model);
        Assert.That(convs.Where(c => c.Input.Layout != TensorLayout.Nc4hw4).Select(c => c.Name), Is.Empty, $"{model}: convolutions past the stem read packed");
        Assert.That(chosen.Nodes.OfType<FusedBlockOp>(), Is.Empty, model);
        if (!oracle) return;
        var input = GpuVsCpu.RandomArray(g.Input.Shape.Elements, 5);
        var want = ReferenceExecutor.Run(g, input, 1);
        GpuVsCpu.AssertClose(ReferenceExecutor.Run(chosen, input, 1), want, 1e-5 * Math.Max(1, want.Max(Math.Abs)), 1e-4, $"{model}: GPU form vs original");
    }

    /// <summary>The load-time dry run of kernel selection (ModelValidation) takes the GPU's passes,
    /// so it now plans a dense graph packed, and its Winograd layers' scratch regions with it.</summary>
    [Test]
    public void ImportValidatesADenseGraphPacked()
    {
        var graph = GpuMobileNet.Import.ModelImporter.Load(NcnnPeer.Param("yolov4-tiny"));
        Assert.That(PassPipeline.IsDenseConvolutionGraph(PassPipeline.Apply(graph, Gpu with { PackWhereViewsFold = false })));
    }

    [Test]
    public void FusedBlocksOrNoFullConvolutionsAreNotDense()
    {
        Assert.That(PassPipeline.IsDenseConvolutionGraph(PassPipeline.Apply(MobileNetV2.Create(0.35, 64, 10), Gpu)), Is.False, "MobileNetV2: fused blocks");
        Assert.That(PassPipeline.IsDenseConvolutionGraph(PassPipeline.Apply(ShuffleNetV1.Create(3, 1.0, 48, 10), Gpu)), Is.False,
            "ShuffleNetV1: 1x1 and depthwise past the stem");
    }
}
