using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;

namespace GpuMobileNet.Passes;

/// <summary>Fuses a channel-packed depthwise convolution and the packed 1x1 that alone reads it into one
/// <see cref="DepthwisePointwiseOp"/> (one dispatch, the depthwise values kept in registers) where
/// <see cref="DepthwisePointwisePackedKernel.Handles"/> and <see cref="DepthwisePointwisePackedKernel.Pays"/> say so.
/// Runs after packing and the passes that rewrite packed 1x1s (channel gates, concatenation writers), so it sees only
/// plain ones.</summary>
internal static class FusePackedDepthwisePointwise
{
    public static ModelGraph Apply(ModelGraph g)
    {
        var uses = new ValueUses(g);
        var depthwise = g.Nodes.OfType<Conv2dOp>().Where(c => c.IsDepthwise).ToDictionary(c => c.Output);
        var replaced = new Dictionary<Node, Node?>();
        foreach (var pw in g.Nodes.OfType<Conv2dOp>().Where(c => c.IsPointwise))
        {
            if (!depthwise.TryGetValue(pw.Input, out var dw) || uses.SoleConsumer(dw.Output) != pw) continue;
            if (!DepthwisePointwisePackedKernel.Handles(dw, pw) || !DepthwisePointwisePackedKernel.Pays(dw, pw)) continue;
            replaced[pw] = new DepthwisePointwiseOp(pw.Name + "_dwpw", dw.Input, pw.Output, dw, pw);
            replaced[dw] = null;
        }
        return g.Replacing(replaced);
    }
}
