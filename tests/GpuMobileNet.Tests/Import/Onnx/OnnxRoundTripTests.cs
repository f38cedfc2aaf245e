using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Import.Onnx;
using GpuMobileNet.Models;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Import.Onnx;

/// <summary>Built-in MobileNetV1/V2 → ONNX exporter → importer: the imported graph computes what the original
/// does, on the CPU oracle and on the GPU.</summary>
public class OnnxRoundTripTests : GpuTest
{
    private static IEnumerable<TestCaseData> Models()
    {
        yield return new TestCaseData("mobilenet_v1", 0.25, 64, 5).SetName("V1_0.25_64");
        yield return new TestCaseData("mobilenet_v2", 0.35, 64, 5).SetName("V2_0.35_64");
    }

    [TestCaseSource(nameof(Models))]
    public void ExportedFileImportsToTheSameNetwork(string model, double alpha, int resolution, int classes)
    {
        var original = ModelZoo.Create(model, alpha, resolution, classes, WeightInit.Random(3));
        using var dir = new TempDir();
        string path = dir.File("model.onnx");
        OnnxExporter.Export(original, path, batch: 1);

        var imported = OnnxImporter.Load(path);

        Assert.That(imported.Input.Shape, Is.EqualTo(original.Input.Shape));
        Assert.That(imported.Output.Shape, Is.EqualTo(original.Output.Shape));
        Assert.That(imported.Nodes.Count(n => n.OpType == "Conv2d"), Is.EqualTo(TestData.Count<GpuMobileNet.Graph.Ops.Conv2dOp>(original)));
        var input = TestData.Uniform(11, 2 * original.Input.Shape.Elements);
        var expected = ReferenceExecutor.Run(original, input, 2);
        TestData.AssertClose(ReferenceExecutor.Run(imported, input, 2), expected, 1e-6, $"{model}: imported vs original (CPU)");

        // Logits rather than softmax on the GPU: a softmax squeezes differences to nothing.
        var logitsOriginal = Export.OrtCheck.Logits(original);
        var logitsImported = Export.OrtCheck.Logits(imported);
        using var session = InferenceSession.Create(logitsImported, Device, new SessionOptions { Batch = 2 });
        GpuVsCpu.AssertClose(session.Run(input), ReferenceExecutor.Run(logitsOriginal, input, 2), 1e-4, 1e-3, $"{model}: imported on the GPU vs original (CPU)");
    }

    [Test]
    public void PassesApplyToImportedGraphs()
    {
        var original = MobileNetV2.Create(0.35, 64, 5, WeightInit.Random(4));
        var imported = OnnxImporter.Load(OnnxExporter.ToBytes(original), "v2.onnx");
        using var session = InferenceSession.Create(imported, Device);
        // BatchNorm folded into convolutions and Clip fused as ReLU6: no BatchNorm or Activation op remains.
        Assert.That(session.Graph.Nodes.Select(n => n.OpType), Has.None.EqualTo("BatchNorm").And.None.EqualTo("Activation"));
        Assert.That(session.Graph.Nodes.Count, Is.LessThan(imported.Nodes.Count / 2));
    }
}
