using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Networks;

/// <summary>Whole MobileNetV3s on the GPU (default passes: NC4HW4 on lavapipe, h-swish fused) against the CPU oracle
/// on the unfused graph, seeded random weights; softmax outputs within abs 2e-5 + rel 1e-3, as for V1/V2.</summary>
public class MobileNetV3NetworkTests : GpuTest
{
    private const double Abs = 2e-5, Rel = 1e-3;

    [TestCase(true, 0.75, 97, 1)]
    [TestCase(false, 1.0, 113, 2)]
    public void MatchesOracle(bool large, double alpha, int resolution, int batch)
    {
        var graph = large ? MobileNetV3.CreateLarge(alpha, resolution, 1000, WeightInit.Random(31)) : MobileNetV3.CreateSmall(alpha, resolution, 1000, WeightInit.Random(32));
        GpuVsCpu.Check(Device, graph, batch, Abs, Rel, what: $"{graph.Name} batch {batch}",
            inspect: s => Assert.That(s.Graph.Nodes.OfType<ActivationOp>(), Is.Empty, "h-swish and h-sigmoid are fused into the convolutions"));
    }

    [Test]
    public void PlanarAndWithPassesOff()
    {
        var graph = MobileNetV3.CreateSmall(0.5, 64, 10, WeightInit.Random(33));
        GpuVsCpu.Check(Device, graph, 1, Abs, Rel, options: Layouts.Planar, what: "MobileNetV3-Small 0.5/64 planar");
        GpuVsCpu.Check(Device, graph, 1, 1e-4, 1e-3, options: new SessionOptions { Passes = PassOptions.None }, what: "MobileNetV3-Small 0.5/64 passes off");
    }
}
