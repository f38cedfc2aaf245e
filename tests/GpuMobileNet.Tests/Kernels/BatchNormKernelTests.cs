using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Planning;
using GpuMobileNet.Tensors;
using GpuMobileNet.Tests.Gpu;
using GpuMobileNet.Tests.Support;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Kernels;

/// <summary>A BatchNorm that no convolution absorbs runs as a 1x1 depthwise convolution, which the passes make of it
/// (and which its provider plans if it reaches the planner). Scale and shift are rounded to float once: tolerance abs 1e-5, rel 1e-5.</summary>
[OracleTestFor(typeof(BatchNormOp))]
public class BatchNormKernelTests : GpuTest
{
    // After an Add, so no convolution's output is normalised and nothing folds it.
    private static ModelGraph Graph(int c, int h, int w) => SmallOpGraphs.Build("bn", new TensorShape(c, h, w), (b, x) =>
        b.BatchNorm("bn", b.Add("sum", x, b.Activate("relu", x, Activation.Relu)),
            TestData.Uniform(1, c), TestData.Uniform(2, c), TestData.Uniform(3, c), TestData.Uniform(4, c).Select(v => v + 1.5f).ToArray(), 1e-3f));

    [TestCase(5, 7, 3, 2)]
    [TestCase(16, 9, 9, 1)]
    [TestCase(1, 4, 6, 3)]
    public void MatchesOracle(int c, int h, int w, int batch)
    {
        GpuVsCpu.Check(Device, Graph(c, h, w), batch, 1e-5, 1e-5, inspect: s =>
        {
            Assert.That(s.Graph.Nodes.OfType<BatchNormOp>(), Is.Empty, "the passes turn it into a convolution");
            var bn = s.Dispatches.Where(d => d.Source!.Name == "bn").Select(d => d.Shader).ToList();
            // One channel is a plain 1x1 (groups 1), which runs on a pointwise kernel.
            Assert.That(bn, Is.Not.Empty.And.All.StartsWith(c == 1 ? "pointwise_conv" : "depthwise_conv"), "runs as a 1x1 depthwise convolution");
        });
    }

    /// <summary>Sessions always run the passes; the planner, given a BatchNorm anyway, plans the same convolution.</summary>
    [Test]
    public void PlannedAloneItRunsAsADepthwiseConvolution()
    {
        var g = Graph(6, 5, 5);
        var bn = g.Nodes.OfType<BatchNormOp>().Single();
        var ctx = new KernelContext(ReusePlanner.Plan(g, 2), new WeightPacker(), 2, 16384);
        var dispatches = KernelSelector.Plan(bn, ctx, new KernelChoice());
        Assert.That(dispatches.Select(d => d.Shader), Is.Not.Empty.And.All.StartsWith("depthwise_conv"));
        Assert.That(dispatches.Select(d => d.Source), Is.All.EqualTo(bn));
    }
}
