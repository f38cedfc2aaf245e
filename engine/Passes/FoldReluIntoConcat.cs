using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Removes a ReLU pass over a concatenation (ShuffleNetV1's stride-2 unit: ReLU(concat(avgpool(x), conv)))
/// when every part can take it for free: ReLU(concat(a, b)) = concat(ReLU(a), ReLU(b)), so a part written by an op that
/// takes a fused activation and has none (a convolution; read by nothing else) takes the ReLU as its fused activation,
/// and a part that is already non-negative (its provider's NonNegative: a ReLU output, or an average or max pool, or a
/// concatenation, of non-negative values: the shortcut averages the previous unit's ReLU output) needs nothing. The
/// concatenation then writes the ReLU's output. Saves one pass over the tensor per unit.</summary>
internal static class FoldReluIntoConcat
{
    /// <summary>The graph with every foldable ReLU-over-concat folded (unchanged where there is none).</summary>
    public static ModelGraph Apply(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var uses = new ValueUses(g);
        var producer = g.Nodes.ToDictionary(n => n.Output);
        var replaced = new Dictionary<Node, Node?>();
        var nonNegative = new HashSet<Value>();

        bool IsNonNegative(Value v) =>
            nonNegative.Contains(v) || producer.TryGetValue(v, out var p) && OpRegistry.TryFor(p)?.NonNegative(p, IsNonNegative) == true;

        foreach (var node in g.Nodes)
        {
            if (node is not ActivationOp { Activation: Activation.Relu } relu) continue;
            if (!producer.TryGetValue(relu.Input, out var p) || p is not ConcatOp concat || uses.SoleConsumer(concat.Output) != relu) continue;
            if (concat.Parts.Any(x => x is null)) continue;
            var writers = new List<Node>();
            bool foldable = true;
            foreach (var part in concat.Parts)
            {
                if (IsNonNegative(part!)) continue;
                if (producer.TryGetValue(part!, out var w) && uses.SoleConsumer(part!) == concat && !replaced.ContainsKey(w) &&
                    OpRegistry.TryFor(w)?.TakesActivation(w) == true)
                    writers.Add(w);
                else foldable = false;
            }
            if (!foldable) continue;
            foreach (var w in writers)
                replaced[w] = OpRegistry.For(w).WithActivation(w, Activation.Relu, w.Output);
            replaced[concat] = concat with { Output = relu.Output };
            replaced[relu] = null;
            nonNegative.Add(relu.Output);
        }
        return g.Replacing(replaced);
    }
}
