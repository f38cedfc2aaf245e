using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Turns x · sigmoid(x) into one swish activation and x · hard-sigmoid(x) into one hard-swish (ncnn's Swish
/// layer and ONNX exports spell them as an activation and a product), so that <see cref="FuseActivation"/> can then fold
/// them into the producer of x: two element-wise dispatches and their tensors gone per activation (EfficientNet-B0 has
/// 49). Only where the gate is read by the product alone.</summary>
internal static class FuseSwish
{
    /// <summary>The graph with every such product replaced by an activation of x named as the product.</summary>
    public static ModelGraph Apply(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var uses = new ValueUses(g);
        var gates = g.Nodes.OfType<ActivationOp>().Where(a => Fused(a.Activation) is not null).ToDictionary(a => a.Output);
        var replaced = new Dictionary<Node, ActivationOp>();
        var removed = new HashSet<Node>();
        foreach (var node in g.Nodes)
        {
            if (node is not MulOp m || m.A.Shape != m.B.Shape) continue;
            var gate = GateOf(m.B, m.A) ?? GateOf(m.A, m.B);
            if (gate is null || uses.SoleConsumer(gate.Output) != m) continue;
            replaced[m] = new ActivationOp(m.Name, gate.Input, m.Output, Fused(gate.Activation)!.Value);
            removed.Add(gate);
        }

        ActivationOp? GateOf(Value gateValue, Value x) =>
            gates.TryGetValue(gateValue, out var a) && a.Input == x ? a : null;

        var nodes = new List<Node>();
        foreach (var node in g.Nodes)
        {
            if (removed.Contains(node)) continue;
            nodes.Add(replaced.TryGetValue(node, out var act) ? act : node);
        }
        return g.WithNodes(nodes);
    }

    /// <summary>The activation x · gate(x) is, for the gates that have one.</summary>
    private static Activation? Fused(Activation gate) => gate switch
    {
        Activation.Sigmoid => Activation.Swish,
        Activation.HardSigmoid => Activation.HardSwish,
        Activation.KerasHardSigmoid => Activation.KerasHardSwish,
        _ => null,
    };
}
