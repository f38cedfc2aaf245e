using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Models;
using GpuMobileNet.Tensors;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Models;

public class MobileNetV3Tests
{
    [Test]
    public void LargeMatchesTheReferenceAndThePaper()
    {
        // torchvision's mobilenet_v3_large has 5,483,032 parameters; the paper reports 5.4 M and 219 M multiply-adds
        // (its count includes the SE scales and pooling, 2.4 M, which ours counts as free).
        var stats = GraphStats.Compute(MobileNetV3.CreateLarge());
        Assert.That(stats.Params, Is.EqualTo(5_483_032));
        Assert.That(stats.MultiplyAdds, Is.EqualTo(216_589_760L));
        Assert.That(stats.MultiplyAdds, Is.EqualTo(219e6).Within(1.5).Percent);
    }

    [Test]
    public void SmallMatchesTheReferenceAndThePaper()
    {
        var stats = GraphStats.Compute(MobileNetV3.CreateSmall());
        Assert.That(stats.Params, Is.EqualTo(2_542_856));
        Assert.That(stats.MultiplyAdds, Is.EqualTo(56e6).Within(1.5).Percent);
        Assert.That(stats.Params, Is.EqualTo(2.5e6).Within(2).Percent);
    }

    [TestCase(true, 4.0, 155)]
    [TestCase(false, 2.0, 44)]
    public void ThreeQuarterWidthMatchesThePaper(bool large, double paramsM, double multiplyAddsM)
    {
        var stats = GraphStats.Compute(large ? MobileNetV3.CreateLarge(0.75) : MobileNetV3.CreateSmall(0.75));
        Assert.That(stats.Params / 1e6, Is.EqualTo(paramsM).Within(3).Percent);
        Assert.That(stats.MultiplyAdds / 1e6, Is.EqualTo(multiplyAddsM).Within(3).Percent);
    }

    [TestCase(true, 15, 8, 6, 960, 1280)]
    [TestCase(false, 11, 9, 8, 576, 1024)]
    public void HasThePaperStructure(bool large, int depthwise, int squeezeExcite, int fiveByFive, int lastConv, int features)
    {
        var g = large ? MobileNetV3.CreateLarge() : MobileNetV3.CreateSmall();
        var convs = g.Nodes.OfType<Conv2dOp>().ToList();
        Assert.That(convs.Count(c => c.IsDepthwise), Is.EqualTo(depthwise));
        Assert.That(convs.Count(c => c.IsDepthwise && c.KernelH == 5), Is.EqualTo(fiveByFive));
        Assert.That(g.Nodes.OfType<MulOp>().Count(m => m.IsChannelBroadcast), Is.EqualTo(squeezeExcite));
        Assert.That(convs.Where(c => c.Activation == Activation.HardSigmoid).Select(c => c.Input.Shape.H), Is.All.EqualTo(1), "h-sigmoid gates act on pooled values");
        Assert.That(g.Nodes.OfType<ActivationOp>().Count(a => a.Activation == Activation.HardSwish), Is.GreaterThan(0));
        // The efficient last stage: the wide 1x1 runs on the pooled 1x1 features.
        var head = g.Nodes.OfType<DenseOp>().First();
        Assert.That((head.InFeatures, head.OutFeatures, head.Activation), Is.EqualTo((lastConv, features, Activation.HardSwish)));
        Assert.That(g.Nodes.OfType<AvgPoolOp>().Last().Input.Shape, Is.EqualTo(new TensorShape(lastConv, 7, 7)));
    }

    [Test]
    public void SqueezeExciteSqueezesToAQuarterRoundedTo8()
    {
        var g = MobileNetV3.CreateLarge();
        var squeeze = g.Nodes.OfType<Conv2dOp>().Single(c => c.Name == "expanded_conv_3_squeeze_excite_Conv");
        Assert.That((squeeze.InC, squeeze.OutC, squeeze.Activation), Is.EqualTo((72, 24, Activation.Relu)));
    }

    [TestCase(0.5, 97, 10)]
    [TestCase(1.25, 64, 3)]
    public void VariantsBuildWithRoundedWidths(double alpha, int resolution, int classes)
    {
        foreach (var g in new[] { MobileNetV3.CreateLarge(alpha, resolution, classes), MobileNetV3.CreateSmall(alpha, resolution, classes) })
        {
            Assert.That(g.Nodes.OfType<Conv2dOp>().Where(c => c.Name.EndsWith("_project", StringComparison.Ordinal)).Select(c => c.OutC % 8), Is.All.Zero);
            Assert.That(g.Output.Shape, Is.EqualTo(new TensorShape(classes, 1, 1)));
        }
    }

    [Test]
    public void OutOfRangeArgumentsAreRefusedByName() =>
        Assert.That(() => MobileNetV3.CreateSmall(alpha: 0), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("alpha"));

    [Test]
    public void RunsToAHealthySoftmax()
    {
        ModelRunChecks.AssertHealthySoftmax(MobileNetV3.CreateLarge(0.5, 96, 1000, WeightInit.Random(7)), 1000);
        ModelRunChecks.AssertHealthySoftmax(MobileNetV3.CreateSmall(0.75, 64, 1000, WeightInit.Random(8)), 1000);
    }

    [Test]
    public void ZooVariantsNameKnownModelsAndMatchTheirPapers()
    {
        Assert.That(ModelZoo.Names, Does.Contain("mobilenet_v3_large").And.Contain("mobilenet_v3_small"));
        Assert.That(ModelZoo.Names, Is.SupersetOf(ModelZoo.Variants.Select(v => v.Model).Distinct()));
        Assert.That(ModelZoo.Variants.Select(v => v.Model), Does.Contain("mobilenet_v3_large").And.Contain("mobilenet_v3_small"));
        foreach (var v in ModelZoo.Variants.Where(v => v.PaperParamsM is not null))
        {
            var stats = GraphStats.Compute(ModelZoo.Create(v.Model, v.Alpha, v.Resolution, ModelZoo.DefaultClasses(v.Model), WeightInit.Random(0)));
            // The papers round to 0.1 M and count some layers differently (V1 and V2 at small widths: up to 15%).
            Assert.That(stats.Params / 1e6, Is.EqualTo(v.PaperParamsM!.Value).Within(20).Percent, $"{v}");
        }
    }
}
