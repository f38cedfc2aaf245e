using GpuMobileNet.Models;
using GpuMobileNet.Tests.Export;
using GpuMobileNet.Tests.Gpu;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Networks;

/// <summary>ShuffleNetV1, ShuffleNetV2 and GhostNet on the GPU (passes applied, the session's defaults) against the
/// CPU oracle, and exported to ONNX and run in ONNX Runtime against the oracle (max abs 1e-4, as for the MobileNets).
/// Small resolutions keep the suite fast; every op and unit kind of the full networks is in them.</summary>
public class ZooNetworkTests : GpuTest
{
    private const double Abs = 2e-5, Rel = 1e-3;

    [TestCase("shufflenet_v1", 1.0, 64, 2)]
    [TestCase("shufflenet_v1_g8", 0.5, 96, 1)]
    [TestCase("shufflenet_v1_g1", 0.5, 64, 1)]
    [TestCase("shufflenet_v2", 1.0, 64, 2)]
    [TestCase("shufflenet_v2", 0.5, 97, 1)]
    [TestCase("ghostnet", 1.0, 64, 2)]
    public void GpuMatchesOracle(string name, double scale, int resolution, int batch) =>
        GpuVsCpu.Check(Device, ModelZoo.Create(name, scale, resolution, 1000, WeightInit.Random(13)), batch, Abs, Rel);

    [TestCase("shufflenet_v1", 1.0, 64, 2)]
    [TestCase("shufflenet_v1_g2", 0.5, 64, 1)]
    [TestCase("shufflenet_v2", 1.0, 64, 2)]
    [TestCase("ghostnet", 1.0, 64, 1)]
    public void OnnxExportAgreesWithOracle(string name, double scale, int resolution, int batch)
    {
        var graph = ModelZoo.Create(name, scale, resolution, 1000, WeightInit.Random(11));
        OrtCheck.AssertAgrees(graph, batch);
        OrtCheck.AssertAgrees(OrtCheck.Logits(graph), batch);
    }
}
