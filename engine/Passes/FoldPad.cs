using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Drops a Pad whose output is read only as the data input of convolutions, adding its padding to
/// theirs. Both pad with zeros, so this is always exact for Conv2d. AvgPool readers block the fold: their
/// padding is excluded from the average while a Pad's zeros are counted.</summary>
internal static class FoldPad
{
    public static ModelGraph Apply(ModelGraph g)
    {
        var uses = new ValueUses(g);
        var folded = new Dictionary<Value, PadOp>();
        foreach (var node in g.Nodes)
            if (node is PadOp pad && ReadOnlyAsConvInput(pad.Output, uses, g))
                folded[pad.Output] = pad;

        var nodes = new List<Node>();
        foreach (var node in g.Nodes)
        {
            if (node is PadOp pad && folded.ContainsKey(pad.Output)) continue;
            if (node is Conv2dOp conv && folded.TryGetValue(conv.Input, out var p))
                nodes.Add(conv with { Input = p.Input, Pad = conv.Pad.Add(p.Pad) });
            else
                nodes.Add(node);
        }
        return g.WithNodes(nodes);
    }

    private static bool ReadOnlyAsConvInput(Value v, ValueUses uses, ModelGraph g)
    {
        if (g.Outputs.Contains(v)) return false;
        var readers = uses.Consumers(v);
        // Each reading conv must read it exactly once, as its data input (a residual cannot be padded).
        return readers.Count > 0
            && readers.All(n => n is Conv2dOp c && c.Input == v && c.Residual != v)
            && uses.Count(v) == readers.Count;
    }
}
