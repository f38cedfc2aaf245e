using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Moves a standalone activation into its producer (Conv2d, Dense or Add without an activation of
/// its own) when the producer's output is read by nothing else. The producer then writes the activation's output.</summary>
internal static class FuseActivation
{
    public static ModelGraph Apply(ModelGraph g)
    {
        var uses = new ValueUses(g);
        var fused = new Dictionary<Node, ActivationOp>();
        foreach (var node in g.Nodes)
            if (HasNoActivation(node) && uses.SoleConsumer(node.Output) is ActivationOp act)
                fused[node] = act;

        var removed = fused.Values.ToHashSet<Node>();
        var nodes = new List<Node>();
        foreach (var node in g.Nodes)
        {
            if (removed.Contains(node)) continue;
            nodes.Add(fused.TryGetValue(node, out var act) ? WithActivation(node, act) : node);
        }
        return g.WithNodes(nodes);
    }

    private static bool HasNoActivation(Node node) => node switch
    {
        Conv2dOp c => c.Activation == Activation.None,
        DenseOp d => d.Activation == Activation.None,
        AddOp a => a.Activation == Activation.None,
        _ => false,
    };

    private static Node WithActivation(Node node, ActivationOp act) => node switch
    {
        Conv2dOp c => c with { Activation = act.Activation, Output = act.Output },
        DenseOp d => d with { Activation = act.Activation, Output = act.Output },
        AddOp a => a with { Activation = act.Activation, Output = act.Output },
        _ => throw new InvalidOperationException($"{node} cannot take a fused activation"),
    };
}
