using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Passes;
using GpuMobileNet.Planning;
using GpuMobileNet.Tensors;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Planning;

public class InPlaceTests
{
    private static Value Pointwise(GraphBuilder b, string name, Value x, int outC) =>
        b.Conv2d(name, x, outC, 1, 1, Padding.Zero, 1, new float[outC * x.Shape.C]);

    private static void AssertDisjoint(MemoryPlan plan, Value a, Value b)
    {
        long oa = plan.OffsetOf(a), ob = plan.OffsetOf(b);
        long sa = (long)a.Shape.Elements * plan.Batch, sb = (long)b.Shape.Elements * plan.Batch;
        Assert.That(oa + sa <= ob || ob + sb <= oa, $"'{a.Name}' at {oa}+{sa} overlaps '{b.Name}' at {ob}+{sb}");
    }

    [Test]
    public void ActivationAndAddWriteOverTheInputThatDiesThere()
    {
        var b = new GraphBuilder("chain", new TensorShape(3, 8, 8));
        var x = Pointwise(b, "conv", b.Input, 4);
        var r = b.Activate("relu", x, Activation.Relu);
        var y = Pointwise(b, "conv2", r, 4);
        var s = b.Add("add", y, r);
        var g = b.Build(s);

        var plan = ReusePlanner.Plan(g, 2);

        Assert.That(plan.OffsetOf(r), Is.EqualTo(plan.OffsetOf(x)), "activation over its input");
        Assert.That(plan.OffsetOf(s), Is.EqualTo(plan.OffsetOf(y)), "add over A");
        Assert.That(plan.Liveness!.IsInPlace(g.Nodes[1]) && plan.Liveness.IsInPlace(g.Nodes[3]));
        AssertDisjoint(plan, r, y); // r is still read by the add while conv2 writes y
        foreach (var v in new[] { x, r, y, s }) AssertDisjoint(plan, g.Input, v);
    }

    [Test]
    public void GraphInputIsNeverOverwritten()
    {
        var b = new GraphBuilder("input_relu", new TensorShape(3, 8, 8));
        var r = b.Activate("relu", b.Input, Activation.Relu);
        var r2 = b.Activate("relu2", r, Activation.Relu6);
        var g = b.Build(r2);

        var plan = ReusePlanner.Plan(g, 1);

        AssertDisjoint(plan, g.Input, r);
        AssertDisjoint(plan, g.Input, r2);
        Assert.That(plan.OffsetOf(r2), Is.EqualTo(plan.OffsetOf(r)), "the second activation may overwrite the first");
    }

    [Test]
    public void InputStillReadLaterIsNotOverwritten()
    {
        var b = new GraphBuilder("branch", new TensorShape(3, 8, 8));
        var x = Pointwise(b, "conv", b.Input, 4);
        var r = b.Activate("relu", x, Activation.Relu);
        var s = b.Add("add", r, x);
        var g = b.Build(s);

        var plan = ReusePlanner.Plan(g, 1);

        AssertDisjoint(plan, x, r);
        Assert.That(plan.OffsetOf(s), Is.EqualTo(plan.OffsetOf(r)));
    }

    [Test]
    public void ResidualConvWritesOverItsResidualButNotOverItsDataInput()
    {
        var b = new GraphBuilder("residual", new TensorShape(3, 8, 8));
        var x = Pointwise(b, "conv", b.Input, 4);
        var h = Pointwise(b, "expand", x, 8);
        var y = Pointwise(b, "project", h, 4);
        var s = b.Add("add", y, x);
        var self = Pointwise(b, "self", s, 4);
        var s2 = b.Add("add2", self, s); // fuses into a conv whose residual is its own data input
        var g = FuseResidualAdd.Apply(b.Build(s2));
        var convs = g.Nodes.OfType<Conv2dOp>().Where(c => c.Residual is not null).ToList();
        Assume.That(convs, Has.Count.EqualTo(2), "both adds fused");

        var plan = ReusePlanner.Plan(g, 1);

        Assert.That(plan.OffsetOf(s), Is.EqualTo(plan.OffsetOf(x)), "conv with residual over the residual");
        AssertDisjoint(plan, s, h);
        AssertDisjoint(plan, s, s2);
        Assert.That(plan.Liveness!.IsInPlace(convs[1]), Is.False);
    }

    [Test]
    public void PolicyNoneMeansNoOutputSharesAnInput()
    {
        var g = Chain();
        var plan = ReusePlanner.Plan(g, 1, InPlacePolicy.None);
        Assert.That(g.Nodes.Where(n => plan.Liveness!.IsInPlace(n)), Is.Empty);
        foreach (var n in g.Nodes)
            foreach (var v in n.Inputs)
                AssertDisjoint(plan, v, n.Output);
    }

    [Test]
    public void PolicyNamingAValueTheNodeDoesNotReadIsRejected()
    {
        var g = Chain();
        Assert.That(() => ReusePlanner.Plan(g, 1, _ => g.Input),
            Throws.ArgumentException.With.Message.Contains("does not read it"));
    }

    private static ModelGraph Chain()
    {
        var b = new GraphBuilder("chain", new TensorShape(3, 4, 4));
        var x = Pointwise(b, "conv", b.Input, 4);
        var r = b.Activate("relu", x, Activation.Relu);
        return b.Build(b.Add("add", r, r));
    }
}
