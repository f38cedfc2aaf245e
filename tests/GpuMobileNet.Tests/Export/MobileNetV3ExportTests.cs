using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Export;

/// <summary>MobileNetV3 exported to ONNX (h-swish as x * HardSigmoid at opset 13, HardSigmoid gates, channel Mul)
/// runs in ONNX Runtime to our CPU reference's output within 1e-4, as the export command checks.</summary>
public class MobileNetV3ExportTests
{
    [TestCase("mobilenet_v3_large", 1.0, 160, 1000, 1)]
    [TestCase("mobilenet_v3_small", 0.75, 97, 7, 2)]
    public void AgreesWithOracle(string model, double alpha, int resolution, int classes, int batch)
    {
        var graph = ModelZoo.Create(model, alpha, resolution, classes, WeightInit.Random(41));
        OrtCheck.AssertAgrees(graph, batch);
        OrtCheck.AssertAgrees(OrtCheck.Logits(graph), batch);
    }

    [Test]
    public void GraphAfterAllPassesAgreesWithOracle()
    {
        var after = PassPipeline.Apply(MobileNetV3.CreateSmall(1.0, 128, 1000, WeightInit.Random(42)), new PassOptions());
        OrtCheck.AssertAgrees(after, 1);
        OrtCheck.AssertAgrees(OrtCheck.Logits(after), 1);
    }
}
