using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Fuses depthwise 3x3 → pointwise 1x1 (MobileNetV1's separable blocks, MobileNetV2's first block)
/// into one <see cref="FusedBlockOp"/> without expand, so the depthwise output stays on chip.</summary>
public static class FuseDepthwisePointwise
{
    public static ModelGraph Apply(ModelGraph g, int windowElements)
    {
        var uses = new ValueUses(g);
        var convs = g.Nodes.OfType<Conv2dOp>().ToDictionary(c => c.Output);
        var replace = new Dictionary<Node, Node>();
        var removed = new HashSet<Node>();
        foreach (var pw in g.Nodes.OfType<Conv2dOp>().Where(c => c.IsPointwise))
        {
            if (!convs.TryGetValue(pw.Input, out var dw) || uses.SoleConsumer(dw.Output) != pw || removed.Contains(dw)) continue;
            if (!Kernels.KernelCapabilities.CanFuseBlock(null, dw, pw, windowElements)) continue;
            replace[pw] = new FusedBlockOp(pw.Name + "_dwpw", dw.Input, pw.Output, null, dw, pw);
            removed.Add(dw);
        }
        return g.WithNodes(g.Nodes.Where(n => !removed.Contains(n)).Select(n => replace.GetValueOrDefault(n, n)).ToList());
    }
}
