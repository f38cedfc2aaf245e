using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Folds a per-channel product (a squeeze-and-excite gate, <see cref="MulOp.IsChannelBroadcast"/>) into the
/// channel-packed pointwise convolution that alone reads it: the convolution scales each input texel by the gate as
/// it reads it (<see cref="GatedPointwiseOp"/>), and the scaled tensor is neither written nor read back. Runs after
/// <see cref="PackChannels"/>: only the packed 1x1 kernel has the gated read.</summary>
internal static class FuseChannelGate
{
    /// <summary>The graph with every such product folded into its convolution.</summary>
    public static ModelGraph Apply(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var uses = new ValueUses(g);
        var folded = new Dictionary<Node, MulOp>();
        foreach (var node in g.Nodes)
            if (node is MulOp { IsChannelBroadcast: true } m && m.A.Layout == TensorLayout.Nc4hw4 && m.A.Shape.C % 4 == 0
                && uses.SoleConsumer(m.Output) is Conv2dOp c && c.IsPointwise && c.Input == m.Output && c.Residual != m.Output)
                folded[c] = m;
            // A 1x1 convolution writing into a concatenation (FoldChannelViews) reads its whole input the same way.
            else if (node is MulOp { IsChannelBroadcast: true } mm && mm.A.Layout == TensorLayout.Nc4hw4 && mm.A.Shape.C % 4 == 0
                && uses.SoleConsumer(mm.Output) is MappedConvOp { SourceQuads: null, Gate: null, Conv.IsPointwise: true } mc && mc.Source == mm.Output)
                folded[mc] = mm;

        var removed = folded.Values.ToHashSet<Node>();
        var nodes = new List<Node>();
        foreach (var node in g.Nodes)
        {
            if (removed.Contains(node)) continue;
            nodes.Add(!folded.TryGetValue(node, out var m) ? node : node switch
            {
                Conv2dOp c => new GatedPointwiseOp(c.Name, c with { Input = m.A }, m.B),
                MappedConvOp mc => mc with { Source = m.A, Gate = m.B },
                _ => node,
            });
        }
        return g.WithNodes(nodes);
    }
}
