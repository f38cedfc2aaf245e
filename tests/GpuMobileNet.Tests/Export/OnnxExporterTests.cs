using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Import.Tfjs;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Export;

/// <summary>The built-in networks and the imported nsfwjs model, exported to ONNX and run in ONNX Runtime (CPU,
/// 2 threads), agree with our CPU oracle on the same seeded input to max abs error 1e-4 (fp32), on both the
/// softmax output and the logits before it.</summary>
public class OnnxExporterTests
{
    [TestCase("mobilenet_v1", 1.0, 96, 1000, 1)]
    [TestCase("mobilenet_v1", 0.5, 128, 7, 2)]
    [TestCase("mobilenet_v1", 0.25, 96, 1000, 2)]
    [TestCase("mobilenet_v2", 1.0, 96, 1000, 1)]
    [TestCase("mobilenet_v2", 0.35, 96, 7, 2)]
    [TestCase("mobilenet_v2", 0.75, 160, 1000, 2)]
    [TestCase("mobilenet_v2", 1.4, 128, 7, 1)]
    public void BuiltInModelAgreesWithOracle(string model, double alpha, int resolution, int classes, int batch)
    {
        var graph = ModelZoo.Create(model, alpha, resolution, classes, WeightInit.Random(11));

        var probs = OrtCheck.AssertAgrees(graph, batch);
        OrtCheck.AssertAgrees(OrtCheck.Logits(graph), batch);

        // The comparison only means something if the network output is not flat: each sample must be a
        // distribution with a clear winner, not the uniform 1/classes that a dead network would give.
        Assert.That(probs, Has.Length.EqualTo(batch * classes));
        for (int n = 0; n < batch; n++)
        {
            var sample = probs.AsSpan(n * classes, classes).ToArray();
            Assert.That(sample.Sum(), Is.EqualTo(1.0).Within(1e-4), $"sample {n} sums to 1");
            Assert.That(sample.Max(), Is.GreaterThan(2.0 / classes), $"sample {n} has a winner");
        }
    }

    [TestCase("mobilenet_v1", 1)]
    [TestCase("mobilenet_v1", 2)]
    [TestCase("mobilenet_v2", 1)]
    [TestCase("mobilenet_v2", 2)]
    public void GraphAfterAllPassesAgreesWithOracle(string model, int batch)
    {
        var before = ModelZoo.Create(model, 0.5, 128, 1000, WeightInit.Random(5));
        var after = PassPipeline.Apply(before, new PassOptions());
        // The fused forms must be what is exported: convs with residuals and activations, no BN/Pad/Add left.
        Assert.That(after.Nodes.Select(n => n.OpType).Distinct(),
            Is.SubsetOf(new[] { "Conv2d", "FusedDwPw", "FusedInvertedResidual", "AvgPool", "Flatten", "Dense", "Softmax" }));
        Assert.That(after.Nodes.OfType<Conv2dOp>().Any(c => c.Residual is not null), Is.EqualTo(model == "mobilenet_v2"));

        OrtCheck.AssertAgrees(after, batch);
        OrtCheck.AssertAgrees(OrtCheck.Logits(after), batch);
    }

    [TestCase("mobilenet_v1")]
    [TestCase("mobilenet_v2")]
    public void GraphWithPassesOffAgreesWithOracle(string model)
    {
        var before = ModelZoo.Create(model, 0.5, 128, 7, WeightInit.Random(6));
        var off = PassPipeline.Apply(before, PassOptions.None);

        OrtCheck.AssertAgrees(off, 2);
        OrtCheck.AssertAgrees(OrtCheck.Logits(off), 2);
    }

    [Test]
    public void NsfwjsModelAgreesWithOracle()
    {
        // Imported from TF.js: ZeroPadding2D pads, BatchNorm, standalone ReLU6, Flatten and a Dense head.
        var graph = TfjsLayersImporter.Load(TestPaths.NsfwjsModelJson);
        Assert.That(graph.Nodes.Select(n => n.OpType), Has.Member("Pad").And.Member("Flatten").And.Member("BatchNorm"));

        OrtCheck.AssertAgrees(graph, 1, seed: 21);
        OrtCheck.AssertAgrees(OrtCheck.Logits(graph), 1, seed: 22);
        OrtCheck.AssertAgrees(PassPipeline.Apply(graph, new PassOptions()), 1, seed: 23);
    }
}
