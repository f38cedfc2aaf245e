using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Moves a standalone activation into its producer (an op whose provider takes a fused activation: Conv2d,
/// Dense or Add without one of its own) when the producer's output is read by nothing else. The producer then writes the activation's output.</summary>
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

    private static bool HasNoActivation(Node node) => OpRegistry.TryFor(node)?.TakesActivation(node) == true;

    private static Node WithActivation(Node node, ActivationOp act) => OpRegistry.For(node).WithActivation(node, act.Activation, act.Output);
}
