using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Folds a per-channel product (a squeeze-and-excite gate, <see cref="MulOp.IsChannelBroadcast"/>) into the
/// channel-packed pointwise convolution that alone reads it: the convolution scales each input texel by the gate as
/// it reads it (<see cref="GatedPointwiseOp"/>), then applies the activation between the two if there is one, and the
/// scaled tensor is neither written nor read back. Runs after
/// <see cref="PackChannels"/>: only the packed 1x1 kernel has the gated read.</summary>
internal static class FuseChannelGate
{
    /// <summary>The graph with every such product folded into its convolution.</summary>
    public static ModelGraph Apply(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var uses = new ValueUses(g);
        var folded = new Dictionary<Node, MulOp>();
        var activations = new Dictionary<Node, ActivationOp>(); // the activation between a product and its convolution
        foreach (var node in g.Nodes)
        {
            if (node is not MulOp { IsChannelBroadcast: true } m || m.A.Layout != TensorLayout.Nc4hw4 || m.A.Shape.C % 4 != 0) continue;
            // MobileNetV3 (ncnn) activates the product first: the convolution then applies that activation to what it reads.
            var reader = uses.SoleConsumer(m.Output);
            var act = reader as ActivationOp;
            if (act is not null) reader = uses.SoleConsumer(act.Output);
            var read = act?.Output ?? m.Output;
            if (reader is Conv2dOp c && c.IsPointwise && c.Input == read && c.Residual != read)
            {
                folded[c] = m;
                if (act is not null) activations[c] = act;
            }
            // A 1x1 convolution writing into a concatenation (FoldChannelViews) reads its whole input the same way.
            else if (act is null && reader is MappedConvOp { SourceQuads: null, Gate: null, Conv.IsPointwise: true } mc && mc.Source == m.Output)
                folded[mc] = m;
        }

        var removed = folded.Values.Concat<Node>(activations.Values).ToHashSet();
        var nodes = new List<Node>();
        foreach (var node in g.Nodes)
        {
            if (removed.Contains(node)) continue;
            nodes.Add(!folded.TryGetValue(node, out var m) ? node : node switch
            {
                Conv2dOp c => new GatedPointwiseOp(c.Name, c with { Input = m.A }, m.B, activations.GetValueOrDefault(c)?.Activation ?? Activation.None),
                MappedConvOp mc => mc with { Source = m.A, Gate = m.B },
                _ => node,
            });
        }
        return g.WithNodes(nodes);
    }
}
