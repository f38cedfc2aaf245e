using GpuMobileNet.Graph;
using GpuMobileNet.Tensors;
using NUnit.Framework;

namespace GpuMobileNet.Tests.Graph;

public class GraphStatsTests
{
    [Test]
    public void CountsWeightsBiasesAndBatchNormAffineOnly()
    {
        var b = new GraphBuilder("stats", new TensorShape(4, 9, 9));
        // Grouped conv 4→6, groups 2, 3x3 stride 2 pad 1: out 6x5x5, 2 input channels per group.
        var c = b.Conv2d("conv", b.Input, 6, 3, 2, Padding.Symmetric(1), 2, new float[6 * 2 * 9], new float[6]);
        var n = b.BatchNorm("bn", c, new float[6], new float[6], new float[6], new float[6], 1e-3f);
        var r = b.Activate("relu", n, Activation.Relu);
        var p = b.GlobalAvgPool("pool", r);
        var d = b.Dense("fc", p, 3, new float[18], new float[3]);
        var g = b.Build(b.Softmax("sm", d));

        var stats = GraphStats.Compute(g);

        long convParams = 6 * 2 * 9 + 6, bnParams = 2 * 6, fcParams = 18 + 3;
        long convMacs = 6 * 5 * 5 * 2 * 9, fcMacs = 6 * 3;
        Assert.That(stats.Params, Is.EqualTo(convParams + bnParams + fcParams));
        Assert.That(stats.MultiplyAdds, Is.EqualTo(convMacs + fcMacs));
        Assert.That(stats.Nodes.Select(r => r.Name), Is.EqualTo(g.Nodes.Select(x => x.Name)));
        var convRow = stats.Nodes[0];
        Assert.That((convRow.OpType, convRow.OutputShape, convRow.Params, convRow.MultiplyAdds),
            Is.EqualTo(("Conv2d", new TensorShape(6, 5, 5), convParams, convMacs)));
        Assert.That(stats.Nodes.Single(x => x.Name == "bn").MultiplyAdds, Is.Zero);
    }
}
