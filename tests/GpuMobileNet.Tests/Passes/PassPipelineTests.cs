using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Models;
using GpuMobileNet.Passes;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

public class PassPipelineTests
{
    [TestCase("mobilenet_v1")]
    [TestCase("mobilenet_v2")]
    public void FullPipelineLeavesOnlyGpuOpsAndSameOutput(string model)
    {
        var before = ModelZoo.Create(model, 0.25, 32, 10, WeightInit.Random(3));
        var after = PassPipeline.Apply(before, new PassOptions());

        Assert.That(TestData.Count<BatchNormOp>(after) + TestData.Count<ActivationOp>(after)
            + TestData.Count<AddOp>(after) + TestData.Count<PadOp>(after), Is.Zero);
        // Every conv survives, either on its own or as a part of a fused block.
        int convsAfter = TestData.Count<Conv2dOp>(after) + after.Nodes.OfType<FusedBlockOp>().Sum(f => f.Parts.Count());
        Assert.That(convsAfter, Is.EqualTo(TestData.Count<Conv2dOp>(before)));
        Assert.That(after.Nodes.OfType<FusedBlockOp>(), Is.Not.Empty, "small models fit the fused kernel everywhere");
        Assert.That(after.Output, Is.SameAs(before.Output));
        TestData.AssertSameOutput(before, after);
    }

    [Test]
    public void WithEverythingOffOnlyBatchNormsBecomeConvs()
    {
        var before = ModelZoo.Create("mobilenet_v2", 0.25, 32, 10, WeightInit.Random(4));
        var off = PassOptions.None;
        var after = PassPipeline.Apply(before, off);

        Assert.That(after.Nodes, Has.Count.EqualTo(before.Nodes.Count));
        Assert.That(TestData.Count<BatchNormOp>(after), Is.Zero);
        Assert.That(TestData.Count<Conv2dOp>(after),
            Is.EqualTo(TestData.Count<Conv2dOp>(before) + TestData.Count<BatchNormOp>(before)));
        Assert.That(TestData.Count<AddOp>(after), Is.EqualTo(TestData.Count<AddOp>(before)).And.GreaterThan(0));
        TestData.AssertSameOutput(before, after);
    }
}
