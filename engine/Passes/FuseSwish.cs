using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Turns x · sigmoid(x) into one swish activation and x · hard-sigmoid(x) into one hard-swish (ncnn's Swish
/// layer and ONNX exports spell them as an activation and a product), and x · relu6(x + 3) / 6 spelled as element-wise
/// ops (PaddleOCR's exports: Add, Clip, Mul, Div, which the importer makes an affine, a ReLU6, a product and an affine)
/// into one hard-swish, so that <see cref="FuseActivation"/> can then fold them into the producer of x: two to four
/// element-wise dispatches and their tensors gone per activation (EfficientNet-B0 has 49). Only where the parts are read
/// by the next part alone. Runs before <see cref="FoldBatchNorm"/>.</summary>
internal static class FuseSwish
{
    /// <summary>The graph with every such product replaced by an activation of x named as the product (or the last affine).</summary>
    public static ModelGraph Apply(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var uses = new ValueUses(g);
        var producers = g.Nodes.ToDictionary(n => n.Output);
        var replaced = new Dictionary<Node, ActivationOp>();
        var removed = new HashSet<Node>();
        foreach (var node in g.Nodes)
        {
            if (node is MulOp m && m.A.Shape == m.B.Shape)
            {
                var gate = GateOf(m.B, m.A) ?? GateOf(m.A, m.B);
                if (gate is null || uses.SoleConsumer(gate.Output) != m || Fused(gate.Activation) is not { } act) continue;
                replaced[m] = new ActivationOp(m.Name, gate.Input, m.Output, act);
                removed.Add(gate);
            }
            else if (node is BatchNormOp post && ElementwiseHardSwish(post, producers, uses) is { } parts)
            {
                replaced[post] = new ActivationOp(post.Name, parts.X, post.Output, Activation.HardSwish);
                removed.UnionWith(parts.Removed);
            }
        }

        ActivationOp? GateOf(Value gateValue, Value x) =>
            producers.GetValueOrDefault(gateValue) is ActivationOp a && a.Input == x ? a : null;

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

    /// <summary>x and the nodes before <paramref name="post"/> where post(x · relu6(pre(x))) is a hard-swish: post
    /// divides by 6, pre adds 3, each read only by the next.</summary>
    private static (Value X, Node[] Removed)? ElementwiseHardSwish(BatchNormOp post, Dictionary<Value, Node> producers, ValueUses uses)
    {
        if (!IsAffine(post, 1.0 / 6, 0) || producers.GetValueOrDefault(post.Input) is not MulOp m || uses.SoleConsumer(m.Output) != post) return null;
        foreach (var (x, other) in new[] { (m.A, m.B), (m.B, m.A) })
            if (producers.GetValueOrDefault(other) is ActivationOp { Activation: Activation.Relu6 } relu && uses.SoleConsumer(relu.Output) == m
                && producers.GetValueOrDefault(relu.Input) is BatchNormOp pre && pre.Input == x && uses.SoleConsumer(pre.Output) == relu
                && IsAffine(pre, 1, 3))
                return (x, [m, relu, pre]);
        return null;
    }

    /// <summary>Whether <paramref name="bn"/> is y = scale · x + shift in every channel.</summary>
    private static bool IsAffine(BatchNormOp bn, double scale, double shift)
    {
        for (int c = 0; c < bn.Gamma.Length; c++)
        {
            double a = bn.Gamma[c] / Math.Sqrt(bn.Variance[c] + (double)bn.Epsilon);
            if (Math.Abs(a - scale) > 1e-6 * scale || Math.Abs(bn.Beta[c] - bn.Mean[c] * a - shift) > 1e-6) return false;
        }
        return true;
    }
}
