using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Fuses Add(a, b) into the Conv2d that produces one side when that conv has no activation and no
/// residual yet and nothing else reads its output: the conv takes the other side as its Residual, the Add's
/// activation, and writes the Add's output. The fused conv sits where the Add was, so both inputs exist by then.</summary>
internal static class FuseResidualAdd
{
    public static ModelGraph Apply(ModelGraph g)
    {
        var uses = new ValueUses(g);
        var producers = g.Nodes.OfType<Conv2dOp>().ToDictionary(c => c.Output);

        var replacements = new Dictionary<Node, Conv2dOp>();
        var removed = new HashSet<Node>();
        foreach (var node in g.Nodes)
        {
            if (node is not AddOp add) continue;
            var fused = Candidate(add.B, add.A, add, uses, producers, removed)
                ?? Candidate(add.A, add.B, add, uses, producers, removed);
            if (fused is null) continue;
            replacements[add] = fused.Value.Fused;
            removed.Add(fused.Value.Conv);
        }

        var nodes = new List<Node>();
        foreach (var node in g.Nodes)
        {
            if (removed.Contains(node)) continue;
            nodes.Add(replacements.TryGetValue(node, out var conv) ? conv : node);
        }
        return g.WithNodes(nodes);
    }

    private static (Conv2dOp Conv, Conv2dOp Fused)? Candidate(Value convSide, Value otherSide, AddOp add,
        ValueUses uses, Dictionary<Value, Conv2dOp> producers, HashSet<Node> removed)
    {
        if (!producers.TryGetValue(convSide, out var conv)) return null;
        if (removed.Contains(conv) || conv.Activation != Activation.None || conv.Residual is not null) return null;
        if (uses.SoleConsumer(conv.Output) != add || convSide == otherSide) return null;
        return (conv, conv with { Residual = otherSide, Activation = add.Activation, Output = add.Output });
    }
}
