using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Passes;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

internal class FuseResidualAddTests
{
    // x → expand(relu6) → project (linear) ; out = Add(x', project) where x' feeds both branches.
    private static (ModelGraph Graph, Value Shortcut) Block(Activation addActivation, bool projectActivation = false)
    {
        var b = new GraphBuilder("residual", new TensorShape(4, 5, 5));
        var x = b.Conv2d("stem", b.Input, 4, 3, 1, Padding.Symmetric(1), 1, TestData.Uniform(1, 144), TestData.Uniform(2, 4));
        var e = b.Conv2d("expand", x, 8, 1, 1, Padding.Zero, 1, TestData.Uniform(3, 32), act: Activation.Relu6);
        var p = b.Conv2d("project", e, 4, 1, 1, Padding.Zero, 1, TestData.Uniform(4, 32), TestData.Uniform(5, 4),
            projectActivation ? Activation.Relu : Activation.None);
        return (b.Build(b.Add("add", x, p, addActivation)), x);
    }

    [TestCase(Activation.None)]
    [TestCase(Activation.Relu)]
    public void FusesAddIntoProjectConv(Activation addActivation)
    {
        var (before, shortcut) = Block(addActivation);
        var after = FuseResidualAdd.Apply(before);

        Assert.That(TestData.Count<AddOp>(after), Is.Zero);
        Assert.That(after.Nodes, Has.Count.EqualTo(3));
        var project = after.Nodes.OfType<Conv2dOp>().Single(c => c.Name == "project");
        Assert.That(project.Residual, Is.SameAs(shortcut));
        Assert.That(project.Activation, Is.EqualTo(addActivation));
        Assert.That(project.Output, Is.SameAs(before.Output));
        TestData.AssertSameOutput(before, after);
    }

    [Test]
    public void DoesNotFuseIntoConvWithActivation()
    {
        var (before, _) = Block(Activation.None, projectActivation: true);
        var after = FuseResidualAdd.Apply(before);
        Assert.That(TestData.Count<AddOp>(after), Is.EqualTo(1));
        TestData.AssertSameOutput(before, after);
    }

    [Test]
    public void DoesNotFuseWhenConvOutputIsReadTwice()
    {
        // Both sides are the shared stem output (used by the Add twice and by the project conv's branch).
        var b = new GraphBuilder("shared", new TensorShape(3, 4, 4));
        var x = b.Conv2d("conv", b.Input, 3, 1, 1, Padding.Zero, 1, TestData.Uniform(1, 9));
        var y = b.Conv2d("conv2", x, 3, 1, 1, Padding.Zero, 1, TestData.Uniform(2, 9));
        var s = b.Add("add_self", x, x);
        var before = b.Build(b.Add("add", s, y, Activation.Relu));
        var after = FuseResidualAdd.Apply(before);

        // add_self reads x twice: no fusion there. The outer add may fuse into conv2 (read once).
        Assert.That(after.Nodes.OfType<AddOp>().Select(a => a.Name), Is.EquivalentTo(new[] { "add_self" }));
        Assert.That(after.Nodes.OfType<Conv2dOp>().Single(c => c.Name == "conv").Residual, Is.Null);
        TestData.AssertSameOutput(before, after);
    }
}
