using GpuMobileNet.Graph;
using GpuMobileNet.Models;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Session;

/// <summary>Named inputs and outputs: intermediate values selected as extra outputs survive the passes (no fusion
/// swallows them, no in-place op overwrites them) and read back equal to the CPU oracle's.</summary>
public class MultiOutputSessionTests : GpuTest
{
    [Test]
    public void IntermediateValuesAreReadableByName()
    {
        const double abs = 1e-4, rel = 1e-3;
        var graph = MobileNetV2.Create(0.35, 64, 5, WeightInit.Random(8));
        var pooled = graph.Nodes.Last(n => n.OpType == "AvgPool").Output;
        // A value inside an inverted residual block (the expand conv's output), which fusion would otherwise hide.
        var inner = graph.Nodes.OfType<GpuMobileNet.Graph.Ops.Conv2dOp>().Skip(3).First().Output;
        var selected = graph.WithExtraOutputs(pooled.Name, inner.Name);
        Assert.That(selected.Outputs.Select(v => v.Name), Is.EqualTo(new[] { graph.Output.Name, pooled.Name, inner.Name }));

        using var session = InferenceSession.Create(selected, Device, new SessionOptions { Batch = 2 });
        Assert.That(session.InputNames, Is.EqualTo(new[] { graph.Input.Name }));
        Assert.That(session.OutputNames, Is.EqualTo(new[] { graph.Output.Name, pooled.Name, inner.Name }));
        var input = TestData.Uniform(4, 2 * graph.Input.Shape.Elements);
        var outputs = session.Run(new Dictionary<string, float[]> { [graph.Input.Name] = input });
        var all = ReferenceExecutor.RunAll(graph, input, 2);
        foreach (var v in new[] { graph.Output, pooled, inner })
            GpuVsCpu.AssertClose(outputs[v.Name], all[v], abs, rel, $"output '{v.Name}'");
        Assert.That(session.OutputLengthOf(pooled.Name), Is.EqualTo(2 * pooled.Shape.Elements));
        // The single-output path still returns the main output.
        GpuVsCpu.AssertClose(session.Run(input), all[graph.Output], abs, rel, "main output");
    }

    /// <summary>fp16 activations: extra outputs are converted like the main one (a shallow graph keeps fp16 error small).</summary>
    [Test]
    public void ExtraOutputsInFloat16Storage()
    {
        var weights = GpuVsCpu.RandomArray(8 * 3 * 9, 2, 0.3f);
        var b = new GraphBuilder("shallow", new GpuMobileNet.Tensors.TensorShape(3, 9, 9));
        var conv = b.Conv2d("conv", b.Input, 8, 3, 1, Padding.Symmetric(1), 1, weights, null, Activation.Relu);
        var pooled = b.GlobalAvgPool("pool", conv);
        var dense = b.Dense("dense", b.Flatten("flat", pooled), 4, GpuVsCpu.RandomArray(32, 3, 0.3f));
        var graph = b.Build(dense).WithExtraOutputs("conv", "pool");
        using var session = InferenceSession.Create(graph, Device, new SessionOptions { Batch = 2, Precision = Precision.Float16Storage });
        var input = TestData.Uniform(6, 2 * graph.Input.Shape.Elements);
        var outputs = session.Run(new Dictionary<string, float[]> { ["input"] = input });
        var all = ReferenceExecutor.RunAll(graph, input, 2);
        foreach (var v in graph.Outputs)
            GpuVsCpu.AssertClose(outputs[v.Name], all[v], 5e-3, 5e-3, $"fp16 output '{v.Name}'");
    }

    [Test]
    public void UnknownNamesAreRefused()
    {
        var graph = MobileNetV1.Create(0.25, 32, 3, WeightInit.Random(1));
        Assert.That(() => graph.WithExtraOutputs("no_such_value"), Throws.TypeOf<InvalidGraphException>().With.Message.Contains("'no_such_value'"));
        using var session = InferenceSession.Create(graph, Device);
        Assert.That(() => session.Run(new Dictionary<string, float[]> { ["wrong"] = new float[session.InputLength] }),
            Throws.ArgumentException.With.Message.Contains("'wrong'"));
    }
}
