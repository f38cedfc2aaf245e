using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Models;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Models;

/// <summary>ResNet-18 and ResNet-34: size and cost against torchvision's, structure, a healthy softmax.</summary>
public class ResNetTests
{
    // torchvision: resnet18 11,689,512 parameters, 1.81 G multiply-adds ("GFLOPS") at 224; resnet34 21,797,672, 3.66 G.
    [TestCase(18, 11_689_512, 1.81e9)]
    [TestCase(34, 21_797_672, 3.66e9)]
    public void CountsMatchTorchvision(int depth, long parameters, double multiplyAdds)
    {
        var stats = GraphStats.Compute(ResNet.Create(depth));
        Assert.That(stats.Params, Is.EqualTo(parameters));
        Assert.That(stats.MultiplyAdds, Is.EqualTo(multiplyAdds).Within(1).Percent);
    }

    [Test]
    public void StagesHalveThePlaneAndDoubleTheChannels()
    {
        var convs = ResNet.Create(18).Nodes.OfType<Conv2dOp>().ToList();
        Assert.That(convs, Has.Count.EqualTo(20), "stem, 16 block convs, 3 downsample convs");
        var downsample = convs.Where(c => c.Name.EndsWith("_downsample", StringComparison.Ordinal)).ToList();
        Assert.That(downsample.Select(c => (c.KernelH, c.StrideH, c.OutC, c.Output.Shape.H)),
            Is.EqualTo(new[] { (1, 2, 128, 28), (1, 2, 256, 14), (1, 2, 512, 7) }));
        Assert.That(convs[0].KernelH, Is.EqualTo(7));
    }

    [Test]
    public void RunsToAHealthySoftmax() =>
        ModelRunChecks.AssertHealthySoftmax(ModelZoo.Create("resnet18", 0.5, 64, 1000, WeightInit.Random(7)), 1000);
}
