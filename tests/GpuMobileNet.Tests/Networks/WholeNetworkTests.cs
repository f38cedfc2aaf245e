using GpuMobileNet.Graph;
using V1 = GpuMobileNet.Models.MobileNetV1;
using V2 = GpuMobileNet.Models.MobileNetV2;
using WeightInit = GpuMobileNet.Models.WeightInit;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Networks;

/// <summary>Whole MobileNets on the GPU (passes applied) against the CPU oracle running the unfused graph, on
/// seeded random weights. Softmax outputs over 1000 classes are about 1e-3 each; fp32 accumulated over ~30
/// layers keeps them within abs 2e-5 + rel 1e-3.</summary>
public class WholeNetworkTests : GpuTest
{
    private const double Abs = 2e-5, Rel = 1e-3;

    [TestCase(0.25, 128, 1)]
    [TestCase(0.5, 160, 2)]
    [TestCase(1.0, 96, 1)]
    public void MobileNetV1MatchesOracle(double alpha, int resolution, int batch) =>
        GpuVsCpu.Check(Device, V1.Create(alpha, resolution, 1000, WeightInit.Random(11)), batch, Abs, Rel,
            what: $"MobileNetV1 alpha {alpha} resolution {resolution} batch {batch}");

    [TestCase(0.35, 96, 1)]
    [TestCase(0.5, 128, 2)]
    [TestCase(0.75, 160, 1)]
    [TestCase(1.0, 224, 1)]
    [TestCase(1.4, 112, 1)]
    public void MobileNetV2MatchesOracle(double alpha, int resolution, int batch) =>
        GpuVsCpu.Check(Device, V2.Create(alpha, resolution, 1000, WeightInit.Random(12)), batch, Abs, Rel,
            what: $"MobileNetV2 alpha {alpha} resolution {resolution} batch {batch}");

    [Test]
    public void MobileNetV2WithEveryPassOffRunsTheUnfusedOps()
    {
        var graph = V2.Create(0.35, 96, 10, WeightInit.Random(13));
        var off = new SessionOptions { Passes = PassOptions.None };
        GpuVsCpu.Check(Device, graph, 1, 1e-4, 1e-3, options: off, what: "MobileNetV2 0.35/96, passes off");
    }

    [Test]
    public void OddResolutionAndFewClasses()
    {
        var graph = V2.Create(0.5, 97, 7, WeightInit.Random(14));
        GpuVsCpu.Check(Device, graph, 2, 1e-5, 1e-3, what: "MobileNetV2 0.5/97 with 7 classes");
    }

    [TestCase("mobilenet_v1", 0.5, 128)]
    [TestCase("mobilenet_v2", 0.75, 160)]
    [TestCase("mobilenet_v2", 1.0, 128)]
    public void WithBlockFusionForcedOn(string model, double alpha, int resolution)
    {
        var graph = GpuMobileNet.Models.ModelZoo.Create(model, alpha, resolution, 1000, WeightInit.Random(15));
        var fused = new SessionOptions { Passes = new PassOptions(FuseDepthwisePointwise: true, FuseInvertedResidual: true) };
        GpuVsCpu.Check(Device, graph, 1, Abs, Rel, options: fused, what: $"{model} {alpha}/{resolution} with block fusion",
            inspect: s => Assert.That(s.Graph.Nodes.OfType<GpuMobileNet.Graph.Ops.FusedBlockOp>(), Is.Not.Empty));
    }

    [TestCase("mobilenet_v1", 0.25, 128, 1)]
    [TestCase("mobilenet_v2", 0.5, 97, 2)]
    [TestCase("mobilenet_v2", 1.0, 128, 1)]
    public void WithChannelPackedLayout(string model, double alpha, int resolution, int batch)
    {
        var graph = GpuMobileNet.Models.ModelZoo.Create(model, alpha, resolution, 1000, WeightInit.Random(16));
        var packed = new SessionOptions { Passes = new PassOptions(FuseDepthwisePointwise: false, FuseInvertedResidual: false) { PackChannels = true } };
        GpuVsCpu.Check(Device, graph, batch, Abs, Rel, options: packed, what: $"{model} {alpha}/{resolution} batch {batch}, NC4HW4",
            inspect: s =>
            {
                Assert.That(s.Dispatches.Count(d => d.Shader == GpuMobileNet.Kernels.LayoutConvertKernel.Id.Shader), Is.Zero,
                    "the stem writes NC4HW4 and the pooling reads it");
                Assert.That(s.Graph.Nodes.OfType<GpuMobileNet.Graph.Ops.Conv2dOp>().Count(c => c.Output.Layout == TensorLayout.Nc4hw4),
                    Is.EqualTo(s.Graph.Nodes.OfType<GpuMobileNet.Graph.Ops.Conv2dOp>().Count()), "every convolution writes NC4HW4");
            });
    }
}
