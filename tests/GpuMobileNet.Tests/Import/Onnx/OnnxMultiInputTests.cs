using GpuMobileNet.Import;
using GpuMobileNet.Import.Onnx;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;
using static GpuMobileNet.Tests.Import.Onnx.OnnxModelBuilder;

namespace GpuMobileNet.Tests.Import.Onnx;

/// <summary>ONNX models with several run-time inputs, fed by name: every non-initializer input becomes a graph input
/// (the first the main one), and element-wise ops and Concat of two run-time tensors run. Compared with ONNX Runtime.</summary>
public class OnnxMultiInputTests : GpuTest
{
    /// <summary>Three inputs with a symbolic batch (run at batch 2): x - y into a conv, a conv of y added, x gated per
    /// channel by g, concatenated with y; two outputs.</summary>
    [Test]
    public void ThreeInputsTwoOutputsMatchOnnxRuntime()
    {
        var b = new OnnxModelBuilder(13, "x", [-1, 3, 6, 5], seed: 3);
        b.Input("y", -1, 3, 6, 5);
        b.Input("g", -1, 3, 1, 1);
        b.Node("Sub", ["x", "y"], "d");
        b.Node("Conv", ["d", b.Weights("w", 4, 3, 3, 3), b.Weights("bias", 4)], "c", IntList("pads", 1, 1, 1, 1));
        b.Node("Conv", ["y", b.Weights("w2", 4, 3, 1, 1)], "cy");
        b.Node("Add", ["c", "cy"], "s");
        b.Node("Mul", ["x", "g"], "gated");
        b.Node("Concat", ["gated", "y"], "cat", Int("axis", 1));
        b.Output("s", -1, 4, 6, 5);
        b.Output("cat", -1, 6, 6, 5);
        var bytes = b.Bytes();

        var graph = OnnxImporter.Load(bytes, "three_inputs.onnx");
        Assert.That(graph.Inputs.Select(v => v.Name), Is.EqualTo(new[] { "x", "y", "g" }));
        const int batch = 2;
        var inputs = graph.Inputs.Select((v, i) => (v, Data: TestData.Uniform(50 + i, batch * v.Shape.Elements, -2, 2)))
            .ToDictionary(p => p.v.Name, p => (p.Data, Dims: new long[] { batch, p.v.Shape.C, p.v.Shape.H, p.v.Shape.W }));
        var expected = OrtReference.Run(bytes, inputs);
        var feeds = inputs.ToDictionary(p => p.Key, p => p.Value.Data);

        var cpu = ReferenceExecutor.RunAll(graph, feeds, batch);
        using var session = InferenceSession.Create(graph, Device, new SessionOptions { Batch = batch });
        Assert.That(session.InputNames, Is.EqualTo(new[] { "x", "y", "g" }));
        var gpu = session.Run(feeds);
        foreach (var v in graph.Outputs)
        {
            Export.OrtCheck.AssertMaxAbs(cpu[v], expected[v.Name], $"output '{v.Name}': CPU oracle vs ONNX Runtime");
            Export.OrtCheck.AssertMaxAbs(gpu[v.Name], expected[v.Name], $"output '{v.Name}': GPU vs ONNX Runtime");
        }

        // Exported again (every input, the main output) and read back: the same inputs, the same answer.
        var again = OnnxImporter.Load(GpuMobileNet.Export.Onnx.OnnxExporter.ToBytes(graph), "three_inputs_again.onnx");
        Assert.That(again.Inputs.Select(v => v.Name), Is.EqualTo(new[] { "x", "y", "g" }));
        Export.OrtCheck.AssertMaxAbs(ReferenceExecutor.RunAll(again, feeds, batch)[again.Output], expected[graph.Output.Name], "exported and re-imported");
    }

    /// <summary>Each extra input passes the main input's checks, and a failure names it.</summary>
    [Test]
    public void ExtraInputsAreCheckedByName()
    {
        var b = new OnnxModelBuilder(13, "x", [1, 3, 4, 4]);
        b.Input("y", 1, 3, 4, 4);
        b.Node("Add", ["x", "y"], "z");
        b.Output("z", 1, 3, 4, 4);
        var model = b.Model();
        model.Graph.Input[1].Type.TensorType.ElemType = (int)GpuMobileNet.Export.Onnx.Proto.TensorProto.Types.DataType.Int64;
        Assert.That(() => OnnxImporter.Load(Google.Protobuf.MessageExtensions.ToByteArray(model), "int_y.onnx"),
            Throws.TypeOf<ModelLoadException>().With.Message.Contains("int_y.onnx: input 'y' is INT64"));

        var fixedBatch = new OnnxModelBuilder(13, "x", [1, 3, 4, 4]);
        fixedBatch.Input("y", 4, 3, 4, 4);
        fixedBatch.Node("Add", ["x", "y"], "z");
        fixedBatch.Output("z", 1, 3, 4, 4);
        Assert.That(() => OnnxImporter.Load(fixedBatch.Bytes(), "batch_y.onnx"),
            Throws.TypeOf<ModelLoadException>().With.Message.Contains("input 'y' has a fixed batch of 4"));

        var broadcast = new OnnxModelBuilder(13, "x", [1, 3, 4, 4]);
        broadcast.Input("y", 1, 3, 1, 4);
        broadcast.Node("Add", ["x", "y"], "z");
        broadcast.Output("z", 1, 3, 4, 4);
        Assert.That(() => OnnxImporter.Load(broadcast.Bytes(), "bcast.onnx"),
            Throws.TypeOf<ModelLoadException>().With.Message.Contains("(Add)"));
    }
}
