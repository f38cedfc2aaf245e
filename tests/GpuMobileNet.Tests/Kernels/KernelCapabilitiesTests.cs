using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Tensors;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>The passes ask <see cref="KernelCapabilities"/> before they rewrite, and the selector checks with it: every
/// node a pass pipeline leaves must be one the capability table says a kernel runs, in every pass combination.</summary>
internal class KernelCapabilitiesTests
{
    private static IEnumerable<TestCaseData> Pipelines()
    {
        foreach (var (name, graph) in new[] { ("V1 0.25 96", MobileNetV1.Create(0.25, 96, 10, WeightInit.Random(1))),
                                              ("V2 0.35 97", MobileNetV2.Create(0.35, 97, 10, WeightInit.Random(2))) })
            foreach (bool pack in new[] { true, false })
                foreach (bool fuse in new[] { true, false })
                    yield return new TestCaseData(graph, new PassOptions(FuseDepthwisePointwise: fuse, FuseInvertedResidual: fuse) { PackChannels = pack })
                        .SetArgDisplayNames(name, pack ? "packed" : "planar", fuse ? "fused" : "unfused");
    }

    [TestCaseSource(nameof(Pipelines))]
    public void EveryNodeThePassesLeaveHasAKernelForItsLayouts(ModelGraph graph, PassOptions options)
    {
        var prepared = PassPipeline.Apply(graph, options);
        Assert.That(prepared.Nodes.Where(n => !KernelCapabilities.SupportsLayouts(n)).Select(n => n.ToString()), Is.Empty);
        if (options.PackChannels == true)
            Assert.That(prepared.Nodes.Any(n => n.Output.Layout == TensorLayout.Nc4hw4), Is.True, "packing happened");
    }

    [Test]
    public void APackedConvolutionWithChannelsNotAMultipleOfFourHasNoKernel()
    {
        var g = ConvGraphs.Conv(new TensorShape(6, 8, 8), 6, 1, 1, Padding.Zero, 1, true, Activation.None, residual: false);
        var conv = g.Nodes.OfType<Conv2dOp>().Single();
        var packed = conv with { Input = new Value("x.nc4hw4", conv.Input.Shape, TensorLayout.Nc4hw4), Output = new Value("y", conv.Output.Shape, TensorLayout.Nc4hw4) };
        Assert.That(KernelCapabilities.RunsPacked(conv), Is.False);
        Assert.That(KernelCapabilities.SupportsLayouts(packed), Is.False);
        Assert.That(KernelCapabilities.SupportsLayouts(conv), Is.True);
    }
}
