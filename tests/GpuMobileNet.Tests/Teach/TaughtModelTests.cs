using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Import;
using GpuMobileNet.Runtime;
using GpuMobileNet.Teach;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Export;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Import;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Teach;

/// <summary>A taught model (backbone + head as one graph) computes what the head computes on the backbone's features,
/// on the GPU as on the CPU oracle; exported to ONNX it runs in ONNX Runtime like ours, exported to TF.js it runs in
/// TF.js like ours, and both files import back into our engine unchanged.</summary>
public class TaughtModelTests : GpuTest
{
    private static readonly string[] Classes = ["left", "right", "up"];

    /// <summary>A MobileNet-like backbone at an awkward size: padded strided conv with ReLU6, batch norm, a separate
    /// ReLU6, depthwise, pointwise, a residual add, explicit padding, average pooling, global pooling, its own dense head.</summary>
    private static ModelGraph Backbone()
    {
        var b = new GraphBuilder("backbone", new TensorShape(3, 21, 19), "image");
        var stem = b.Conv2d("stem", b.Input, 8, 3, 2, Padding.Same(21, 19, 3, 3, 2, 2), 1, GpuVsCpu.RandomArray(8 * 27, 1, 0.4f), GpuVsCpu.RandomArray(8, 2, 0.1f), Activation.Relu6);
        var bn = b.BatchNorm("bn", stem, GpuVsCpu.RandomArray(8, 3, 0.5f).Select(v => 1 + v).ToArray(), GpuVsCpu.RandomArray(8, 4, 0.2f),
            GpuVsCpu.RandomArray(8, 5, 0.2f), GpuVsCpu.RandomArray(8, 6, 0.5f).Select(v => 1 + v).ToArray(), 1e-3f);
        var act = b.Activate("relu", bn, Activation.Relu6);
        var dw = b.Conv2d("dw", act, 8, 3, 1, Padding.Symmetric(1), 8, GpuVsCpu.RandomArray(8 * 9, 7, 0.5f));
        var pw = b.Conv2d("pw", dw, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(64, 8, 0.4f), null);
        var sum = b.Add("add", pw, act, Activation.Relu);
        var pooled = b.AvgPool("avg", b.Pad("pad", sum, new Padding(1, 0, 0, 1)), 2, 2, 2, 2, Padding.Zero);
        var features = b.Flatten("features", b.GlobalAvgPool("pool", b.Conv2d("expand", pooled, 12, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(96, 9, 0.5f), null, Activation.Relu6)));
        return b.Build(b.Softmax("own", b.Dense("scores", features, 5, GpuVsCpu.RandomArray(60, 10, 0.5f), null)));
    }

    private static TaughtHead Head(ModelGraph backbone, string kind)
    {
        var withFeatures = backbone.WithExtraOutputs("features");
        var samples = Enumerable.Range(0, 30).Select(i =>
        {
            var run = ReferenceExecutor.RunAll(withFeatures, TestData.Uniform(100 + i, backbone.Input.Shape.Elements));
            return (run[withFeatures.ExtraOutputs[0]], i % Classes.Length);
        }).ToList();
        // Few steps: random labels would otherwise be learnt to near-certain probabilities, which hide errors.
        return HeadTrainer.Train(kind, "backbone", Classes, samples, steps: 10);
    }

    private static (ModelGraph Backbone, TaughtHead Head, ModelGraph Taught) Taught(string kind)
    {
        var backbone = Backbone();
        var head = Head(backbone, kind);
        return (backbone, head, TaughtModel.Build(backbone, head));
    }

    [TestCase(TaughtHead.SoftmaxKind)]
    [TestCase(TaughtHead.CentroidKind)]
    public void OneGraphComputesTheHeadOnTheFeaturesOnGpuAndCpu(string kind)
    {
        var (backbone, head, taught) = Taught(kind);
        Assert.That(taught.Output.Name, Is.EqualTo(TaughtModel.OutputName));
        Assert.That(taught.Nodes.Any(n => n.OpType == "LRN"), Is.EqualTo(kind == TaughtHead.CentroidKind), "the centroid head normalises with an LRN");
        var input = TestData.Uniform(7, backbone.Input.Shape.Elements);
        var features = ReferenceExecutor.RunAll(backbone.WithExtraOutputs("features"), input).Single(kv => kv.Key.Name == "features").Value;
        var expected = ReferenceExecutor.Run(taught, input);
        GpuVsCpu.AssertClose(expected, head.Predict(features), 1e-5, 1e-4, "oracle of the taught graph vs the head on the features");
        Assert.That(expected.Max(), Is.LessThan(0.99f), "probabilities not saturated, so the comparison means something");
        GpuVsCpu.Check(Device, taught, 2, 1e-4, 1e-3);
    }

    [TestCase(TaughtHead.SoftmaxKind)]
    [TestCase(TaughtHead.CentroidKind)]
    public void OnnxExportRunsInOnnxRuntimeAndImportsBackLikeOurs(string kind)
    {
        var (backbone, head, taught) = Taught(kind);
        var onnx = TaughtModel.ToOnnx(backbone, head);
        Assert.That(onnx, Is.EqualTo(OnnxExporter.ToBytes(taught)));
        var expected = OrtCheck.AssertAgrees(taught, 3, seed: 11);
        var back = ModelImporter.Load(onnx, "taught.onnx");
        OrtCheck.AssertMaxAbs(ReferenceExecutor.Run(back, TestData.Uniform(11, 3 * backbone.Input.Shape.Elements), 3), expected, "imported back");
    }

    [Test]
    public void TfjsExportRunsInTfjsAndImportsBackLikeOurs()
    {
        var (backbone, head, taught) = Taught(TaughtHead.SoftmaxKind);
        var (json, weights) = TaughtModel.ToTfjs(backbone, head);
        using var dir = new TempDir();
        File.WriteAllText(dir.File("model.json"), json);
        File.WriteAllBytes(dir.File(GpuMobileNet.Export.Tfjs.TfjsExporter.WeightsFile), weights);
        var input = TestData.Uniform(13, backbone.Input.Shape.Elements);
        var expected = ReferenceExecutor.Run(taught, input);
        OrtCheck.AssertMaxAbs(TfjsReference.RunTensor(dir.File("model.json"), input), expected, "TF.js vs our oracle");
        OrtCheck.AssertMaxAbs(ReferenceExecutor.Run(ModelImporter.Load(dir.File("model.json")), input), expected, "imported back");
    }

    [Test]
    public void TfjsExportOfACentroidHeadIsRefusedWithTheReason()
    {
        var backbone = Backbone();
        Assert.That(() => TaughtModel.ToTfjs(backbone, Head(backbone, TaughtHead.CentroidKind)),
            Throws.TypeOf<NotSupportedException>().With.Message.Contains("nearest-centroid").And.Message.Contains("--kind softmax"));
    }

    [Test]
    public void AHeadForAnotherBackboneIsRefused()
    {
        var backbone = Backbone();
        var head = new TaughtHead { Kind = TaughtHead.CentroidKind, Classes = ["a", "b"], Features = 7, Weights = [new float[7], new float[7]] };
        Assert.That(() => TaughtModel.Build(backbone, head), Throws.ArgumentException.With.Message.Contains("7 features").And.Message.Contains("12"));
    }
}
