using GpuMobileNet.Graph;
using GpuMobileNet.Models;
using GpuMobileNet.Runtime;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Graph;

/// <summary>GraphCut: the backbone up to the pooled features followed by the head equals the whole graph (CPU oracle,
/// random weights), and the cut lands on the first dense layer's input.</summary>
public class GraphCutTests
{
    [TestCase("mobilenet_v1", 0.25, 64)]
    [TestCase("mobilenet_v2", 0.35, 96)]
    public void BackboneThenHeadEqualsTheWholeGraph(string arch, double alpha, int resolution)
    {
        var graph = ModelZoo.Create(arch, alpha, resolution, 7, WeightInit.Random(3));
        var cut = GraphCut.Features(graph);
        Assert.That(cut.Shape.Elements, Is.EqualTo(arch == "mobilenet_v2" ? 1280 : 256));
        var before = GraphCut.Before(graph, cut);
        var after = GraphCut.After(graph, cut);
        Assert.That(before.Nodes.Count + after.Nodes.Count, Is.EqualTo(graph.Nodes.Count));
        var input = TestData.Uniform(5, graph.Input.Shape.Elements, 0, 1);
        var features = ReferenceExecutor.Run(before, input);
        TestData.AssertClose(ReferenceExecutor.Run(after, features), ReferenceExecutor.Run(graph, input), 1e-6, $"{arch} cut at '{cut.Name}'");
    }

    [Test]
    public void FindAndErrorsNameTheValue()
    {
        var graph = ModelZoo.Create("mobilenet_v1", 0.25, 32, 3, WeightInit.Random(1));
        Assert.That(GraphCut.Find(graph, graph.Output.Name), Is.SameAs(graph.Output));
        Assert.That(() => GraphCut.Find(graph, "nope"), Throws.TypeOf<InvalidGraphException>().With.Message.Contains("'nope'"));
        var stranger = new Value("elsewhere", graph.Output.Shape);
        Assert.That(() => GraphCut.Before(graph, stranger), Throws.TypeOf<InvalidGraphException>().With.Message.Contains("'elsewhere'"));
        var noDense = GraphCut.Before(graph, GraphCut.Features(graph));
        Assert.That(() => GraphCut.Features(noDense), Throws.TypeOf<InvalidGraphException>().With.Message.Contains("no dense layer"));
    }
}
