using GpuMobileNet.Graph;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using GpuMobileNet.Vulkan;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Session;

/// <summary>Graphs with several run-time inputs: each input lands at its own place in the arena (per sub-batch), the
/// passes and planners keep every input, and the single-input entry points refuse such graphs by name.</summary>
public class MultiInputSessionTests : GpuTest
{
    /// <summary>Two inputs of odd size (4 x 7 x 5) mixed by Mul and Add, each also feeding its own convolution (the
    /// 4-channel convs run channel-packed, so both inputs need their planar-to-packed conversion).</summary>
    internal static ModelGraph TwoInputGraph(int height = 7, int width = 5)
    {
        var shape = new TensorShape(4, height, width);
        var b = new GraphBuilder("two_inputs", shape, "x");
        var y = b.AddInput("y", shape);
        var product = b.Mul("product", b.Input, y);
        var fromProduct = b.Conv2d("conv_product", product, 8, 3, 1, Padding.Symmetric(1), 1, GpuVsCpu.RandomArray(8 * 4 * 9, 3, 0.4f), GpuVsCpu.RandomArray(8, 4, 0.2f));
        var fromY = b.Conv2d("conv_y", y, 8, 1, 1, Padding.Zero, 1, GpuVsCpu.RandomArray(8 * 4, 5, 0.4f), null, Activation.Relu);
        var sum = b.Add("sum", fromProduct, fromY);
        var dw = b.Conv2d("dw_x", b.Input, 4, 3, 2, Padding.Symmetric(1), 4, GpuVsCpu.RandomArray(4 * 9, 6, 0.4f));
        return b.Build(sum).WithExtraOutputs(dw.Name);
    }

    internal static Dictionary<string, float[]> Inputs(ModelGraph graph, int batch, int seed) =>
        graph.Inputs.Select((v, i) => (v.Name, Data: TestData.Uniform(seed + i, batch * v.Shape.Elements, -2, 2))).ToDictionary(p => p.Name, p => p.Data);

    [TestCase(Precision.Float32, 1e-5, 1e-4)]
    [TestCase(Precision.Float16Storage, 2e-2, 1e-2)]
    public void TwoInputsMatchTheOracle(Precision precision, double abs, double rel)
    {
        var graph = TwoInputGraph();
        Assert.That(graph.Inputs.Select(v => v.Name), Is.EqualTo(new[] { "x", "y" }));
        Assert.That(precision == Precision.Float32 || Device.SupportsFloat16Storage, Is.True, "the test device (lavapipe) has 16-bit storage");
        using var session = InferenceSession.Create(graph, Device, new SessionOptions { Batch = 2, Precision = precision });
        Assert.That(session.InputNames, Is.EqualTo(new[] { "x", "y" }));
        // Both inputs are pinned for the whole run, each in its own region.
        var x = session.Graph.Inputs[0];
        var y = session.Graph.Inputs[1];
        long xStart = session.Memory.OffsetOf(x), yStart = session.Memory.OffsetOf(y);
        Assert.That(xStart + 2 * x.Shape.Elements <= yStart || yStart + 2 * y.Shape.Elements <= xStart, $"x at {xStart}, y at {yStart} overlap");

        foreach (int seed in new[] { 11, 21 })
        {
            var inputs = Inputs(graph, 2, seed);
            var expected = ReferenceExecutor.RunAll(graph, inputs, 2);
            var outputs = session.Run(inputs);
            foreach (var v in graph.Outputs)
                GpuVsCpu.AssertClose(outputs[v.Name], expected[v], abs, rel, $"seed {seed}, output '{v.Name}'");
        }
    }

    /// <summary>The discrete-GPU path forced on lavapipe (arena not mapped: one staging buffer per extra input, copied
    /// in the command buffer; memory treated as non-coherent) with batch 3 in sub-batches of 2 (the storage range set to
    /// a 2-sample arena): every input's slice goes to its own region per sub-batch, the short last one included.</summary>
    [Test]
    public void StagedMemoryAndSubBatches()
    {
        // Large enough that two samples' activations outweigh the (padded) weights, which must fit the same range.
        var graph = TwoInputGraph(37, 29);
        long arena2;
        using (var two = InferenceSession.Create(graph, Device, new SessionOptions { Batch = 2, Warmup = false }))
            arena2 = two.ArenaBytes;
        using var device = TestDevices.Open(new DeviceOptions { MemoryMode = DeviceMemoryMode.Staged, TreatMemoryAsNonCoherent = true, MaxStorageBufferRange = (ulong)arena2 });
        using (var session = InferenceSession.Create(graph, device, new SessionOptions { Batch = 3 }))
        {
            Assert.That(session.SubBatch, Is.EqualTo(2), "the sub-batch path under test");
            Assert.That(session.ArenaBuffer.IsHostVisible, Is.False, "the staged path under test");
            var inputs = Inputs(graph, 3, 61);
            var expected = ReferenceExecutor.RunAll(graph, inputs, 3);
            var outputs = session.Run(inputs);
            foreach (var v in graph.Outputs)
                GpuVsCpu.AssertClose(outputs[v.Name], expected[v], 1e-5, 1e-4, $"staged, sub-batched output '{v.Name}'");
        }
        TestDevices.AssertNoValidationMessages(device);
    }

    /// <summary>The oracle is not symmetric in the inputs (conv_y reads only y), so a mix-up of the two would show.</summary>
    [Test]
    public void SwappedInputsGiveAnotherAnswer()
    {
        var graph = TwoInputGraph();
        var inputs = Inputs(graph, 1, 31);
        var swapped = new Dictionary<string, float[]> { ["x"] = inputs["y"], ["y"] = inputs["x"] };
        using var session = InferenceSession.Create(graph, Device);
        Assert.That(session.Run(swapped)["sum"], Is.Not.EqualTo(session.Run(inputs)["sum"]));
        GpuVsCpu.AssertClose(session.Run(swapped)["sum"], ReferenceExecutor.RunAll(graph, swapped)[graph.Output], 1e-5, 1e-4, "swapped");
    }

    [Test]
    public void SingleInputEntryPointsRefuseNamingTheOtherInputs()
    {
        var graph = TwoInputGraph();
        using var session = InferenceSession.Create(graph, Device);
        var output = new float[session.OutputLength];
        Assert.That(() => session.Run(new float[session.InputLength], output), Throws.InvalidOperationException.With.Message.Contains("'y'"));
        Assert.That(() => session.Submit(new float[session.InputLength]), Throws.InvalidOperationException.With.Message.Contains("'y'"));
        Assert.That(() => session.RunRgba8(new byte[4 * 5 * 7], 5, 7, output), Throws.InvalidOperationException.With.Message.Contains("'y'"));
        using var binding = session.CreateIoBinding().BindInput("x", new float[session.InputLength]);
        Assert.That(() => session.Run(binding), Throws.InvalidOperationException.With.Message.Contains("no source bound for input 'y'"));
        Assert.That(() => ReferenceExecutor.Run(graph, new float[graph.Input.Shape.Elements]), Throws.ArgumentException.With.Message.Contains("'y'"));

        var inputs = Inputs(graph, 1, 41);
        Assert.That(() => session.Run(new Dictionary<string, float[]> { ["x"] = inputs["x"] }),
            Throws.ArgumentException.With.Message.Contains("no values for input 'y'"));
        Assert.That(() => session.Run(new Dictionary<string, float[]> { ["x"] = inputs["x"], ["y"] = new float[3] }),
            Throws.ArgumentException.With.Message.Contains("input 'y' has 3 values"));
        Assert.That(() => session.Run(new Dictionary<string, float[]>(inputs) { ["z"] = inputs["x"] }),
            Throws.ArgumentException.With.Message.Contains("no input 'z'"));
    }

    [Test]
    public void GraphEditsKeepTheExtraInputs()
    {
        var graph = TwoInputGraph();
        Assert.That(graph.WithNodes(graph.Nodes).ExtraInputs, Is.EqualTo(graph.ExtraInputs));
        Assert.That(graph.WithExtraOutputs("product").ExtraInputs, Is.EqualTo(graph.ExtraInputs));
        Assert.That(GraphCut.Before(graph, graph.Nodes.Single(n => n.Name == "product").Output).ExtraInputs, Is.EqualTo(graph.ExtraInputs));
        Assert.That(() => new ModelGraph("dup", graph.Input, [], graph.Input, null, [graph.Input]),
            Throws.TypeOf<InvalidGraphException>().With.Message.Contains("twice"));
        Assert.That(() => new ModelGraph("unbound", graph.Input, graph.Nodes, graph.Output),
            Throws.TypeOf<InvalidGraphException>().With.Message.Contains("'y'"));
    }
}
