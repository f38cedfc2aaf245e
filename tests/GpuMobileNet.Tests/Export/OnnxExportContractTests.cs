using GpuMobileNet.Bench;
using GpuMobileNet.Export.Onnx;
using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Models;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Export;

/// <summary>What the exported file declares (versions, names, shapes), the file variant, and one test per
/// situation the exporter refuses, each with a message that names the culprit.</summary>
public class OnnxExportContractTests
{
    /// <summary>An op the exporter has never heard of, as a future op or a caller's own would be.</summary>
    private sealed record MysteryOp(string Name, Value Input, Value Output) : Node(Name, Output)
    {
        public override IReadOnlyList<Value> Inputs => [Input];
        public override string OpType => "Mystery";
    }

    private static readonly Activation Swish = (Activation)42;

    [Test]
    public void DeclaresOpset13IrVersion7AndOurInputAndOutput()
    {
        var graph = MobileNetV2.Create(0.35, 96, 7, WeightInit.Random(1));
        var model = OnnxExporterCheck.Parse(graph, batch: 3);

        Assert.That(model.IrVersion, Is.EqualTo(7));
        Assert.That(model.OpsetImport.Select(o => (o.Domain, o.Version)), Is.EqualTo(new[] { ("", 13L) }));
        Assert.That(model.Graph.Input.Single().Name, Is.EqualTo(graph.Input.Name));
        Assert.That(OnnxExporterCheck.Dims(model.Graph.Input.Single()), Is.EqualTo(new long[] { 3, 3, 96, 96 }));
        Assert.That(model.Graph.Output.Single().Name, Is.EqualTo(graph.Output.Name));
        Assert.That(OnnxExporterCheck.Dims(model.Graph.Output.Single()), Is.EqualTo(new long[] { 3, 7 }));
        // Every op of ours maps to the standard ONNX op named in the issue, nothing else sneaks in.
        Assert.That(model.Graph.Node.Select(n => n.OpType).Distinct(),
            Is.EquivalentTo(new[] { "Conv", "BatchNormalization", "Clip", "Add", "GlobalAveragePool", "Flatten", "Gemm", "Softmax" }));
        Assert.That(model.Graph.Node.Count(n => n.OpType == "Conv"), Is.EqualTo(TestData.Count<Conv2dOp>(graph)));
    }

    [Test]
    public void ExportWritesTheSameBytesToAFileThatOrtLoads()
    {
        var graph = MobileNetV1.Create(0.25, 64, 4, WeightInit.Random(2));
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "v1.onnx");

        OnnxExporter.Export(graph, path, batch: 2);

        var bytes = File.ReadAllBytes(path);
        Assert.That(bytes, Is.EqualTo(OnnxExporter.ToBytes(graph, 2)));
        using var ort = new OrtBaseline(bytes, 1);
        var input = TestData.Uniform(3, 2 * graph.Input.Shape.Elements);
        OrtCheck.AssertMaxAbs(ort.Run(input, 2, 3, 64, 64), Runtime.ReferenceExecutor.Run(graph, input, 2), "file export");
    }

    [Test]
    public void UnknownOpIsRefusedByName()
    {
        var b = new GraphBuilder("mystery_graph", new TensorShape(2, 4, 4));
        var x = b.Activate("relu", b.Input, Activation.Relu);
        var y = new Value("mystery_out", x.Shape);
        var graph = new ModelGraph("mystery_graph", b.Input, [.. b.Nodes, new MysteryOp("the_mystery", x, y)], y);

        Assert.That(() => OnnxExporter.ToBytes(graph),
            Throws.TypeOf<NotSupportedException>()
                .With.Message.Contains("Mystery 'the_mystery'").And.Message.Contains("no ONNX mapping"));
    }

    [Test]
    public void UnknownActivationOnAConvIsRefusedByName()
    {
        var b = new GraphBuilder("swish_conv", new TensorShape(2, 4, 4));
        var y = b.Conv2d("conv_swish", b.Input, 2, 1, 1, Padding.Zero, 1, [1, 0, 0, 1], null, Swish);

        Assert.That(() => OnnxExporter.ToBytes(b.Build(y)),
            Throws.TypeOf<NotSupportedException>().With.Message.Contains("Conv2d 'conv_swish'").And.Message.Contains("activation 42"));
    }

    [Test]
    public void UnknownStandaloneActivationIsRefusedByName()
    {
        var b = new GraphBuilder("swish_act", new TensorShape(2, 4, 4));
        var y = b.Activate("swish", b.Input, Swish);

        Assert.That(() => OnnxExporter.ToBytes(b.Build(y)),
            Throws.TypeOf<NotSupportedException>().With.Message.Contains("Activation 'swish'").And.Message.Contains("activation 42"));
    }

    [Test]
    public void UnknownActivationOnADenseOrAddIsRefusedByName()
    {
        var b = new GraphBuilder("swish_head", new TensorShape(2, 1, 1));
        var dense = b.Build(b.Dense("fc_swish", b.Input, 2, [1, 0, 0, 1], null, Swish));
        Assert.That(() => OnnxExporter.ToBytes(dense),
            Throws.TypeOf<NotSupportedException>().With.Message.Contains("Dense 'fc_swish'"));

        var b2 = new GraphBuilder("swish_add", new TensorShape(2, 1, 1));
        var add = b2.Build(b2.Add("add_swish", b2.Input, b2.Input, Swish));
        Assert.That(() => OnnxExporter.ToBytes(add),
            Throws.TypeOf<NotSupportedException>().With.Message.Contains("Add 'add_swish'"));
    }

    [Test]
    public void RefusedGraphLeavesNoFile()
    {
        var b = new GraphBuilder("swish_file", new TensorShape(2, 4, 4));
        var graph = b.Build(b.Activate("swish", b.Input, Swish));
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "bad.onnx");

        Assert.That(() => OnnxExporter.Export(graph, path), Throws.TypeOf<NotSupportedException>());
        Assert.That(File.Exists(path), Is.False);
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void NonPositiveBatchIsRefused(int batch)
    {
        var graph = MobileNetV1.Create(0.25, 32, 2, WeightInit.Random(3));
        Assert.That(() => OnnxExporter.ToBytes(graph, batch),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("batch must be positive"));
    }

    [Test]
    public void OrtBaselineChecksTheInputAndTimesEachRun()
    {
        var graph = MobileNetV1.Create(0.25, 32, 3, WeightInit.Random(4));
        using var ort = new OrtBaseline(OnnxExporter.ToBytes(graph), 1);
        var input = TestData.Uniform(5, graph.Input.Shape.Elements);

        Assert.That(() => ort.Run(input, 2, 3, 32, 32), Throws.ArgumentException.With.Message.Contains("[2, 3, 32, 32]"));
        var times = ort.Time(input, 1, 3, 32, 32, warmup: 1, runs: 3);
        Assert.That(times, Has.Count.EqualTo(3).And.All.GreaterThan(0.0));
    }
}
