using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Passes;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Passes;

public class BatchNormToDepthwiseTests
{
    [Test]
    public void EveryBatchNormBecomesA1x1DepthwiseConv()
    {
        var b = new GraphBuilder("bn_dw", new TensorShape(5, 4, 3));
        var y = b.BatchNorm("bn1", b.Input, TestData.Uniform(1, 5, 0.5, 1.5), TestData.Uniform(2, 5),
            TestData.Uniform(3, 5), TestData.Uniform(4, 5, 0.5, 2), 1e-5f);
        var r = b.Activate("relu", y, Activation.Relu);
        var z = b.BatchNorm("bn2", r, TestData.Uniform(5, 5, -1, 1), TestData.Uniform(6, 5),
            TestData.Uniform(7, 5), TestData.Uniform(8, 5, 0.1, 3), 1e-3f);
        var before = b.Build(z);

        var after = BatchNormToDepthwise.Apply(before);

        Assert.That(TestData.Count<BatchNormOp>(after), Is.Zero);
        var convs = after.Nodes.OfType<Conv2dOp>().ToList();
        Assert.That(convs, Has.Count.EqualTo(2));
        Assert.That(convs.Select(c => (c.Groups, c.KernelH, c.KernelW, c.IsDepthwise)), Is.All.EqualTo((5, 1, 1, true)));
        Assert.That(after.Output, Is.SameAs(before.Output));
        TestData.AssertSameOutput(before, after);
    }
}
