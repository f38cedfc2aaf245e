using GpuMobileNet.Graph;
using GpuMobileNet.Models;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Models;

public class ModelZooTests
{
    [Test]
    public void KnowsBothMobileNets() =>
        Assert.That(ModelZoo.Names, Is.SupersetOf(new[] { "mobilenet_v1", "mobilenet_v2" }));

    [Test]
    public void UnknownNameListsTheKnownOnes() =>
        Assert.That(() => ModelZoo.Create("resnet50", 1.0, 224, 1000, WeightInit.Random(0)),
            Throws.ArgumentException.With.Message.Contains("resnet50").And.Message.Contains("mobilenet_v1").And.Message.Contains("mobilenet_v2"));

    [TestCase("mobilenet_v1")]
    [TestCase("mobilenet_v2")]
    public void CreatesTheNamedArchitectureWithTheGivenArguments(string name)
    {
        var g = ModelZoo.Create(name, 0.5, 64, 7, WeightInit.Random(1));
        var direct = name == "mobilenet_v1"
            ? MobileNetV1.Create(0.5, 64, 7, WeightInit.Random(1))
            : MobileNetV2.Create(0.5, 64, 7, WeightInit.Random(1));
        Assert.That(g.Name, Does.StartWith(name));
        Assert.That(g.Nodes.Select(n => n.Name), Is.EqualTo(direct.Nodes.Select(n => n.Name)));
        Assert.That(GraphStats.Compute(g).Params, Is.EqualTo(GraphStats.Compute(direct).Params));
        Assert.That(g.Output.Shape.C, Is.EqualTo(7));
    }
}
