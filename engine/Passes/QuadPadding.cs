using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Runtime.Reference;

namespace GpuMobileNet.Passes;

/// <summary>Pads channel counts to multiples of 4 with zero weights and zero channels, so the channel-packed kernels run
/// the layers between them instead of planar kernels and layout conversions: ShuffleNetV2 1.0's 58-channel branches and
/// ShuffleNetV1 g = 1's 18 and 54 (1x1 → depthwise → 1x1 chains), BlazeFace's 42-channel blocks (a 1x1 with a residual,
/// max pooling, a channel pad by a block of zeros). A value of other width is padded when its producer and every reader
/// can take the padding (<see cref="Paddable"/>): an ungrouped convolution writes zero filters (its padding channels are
/// act(0 + residual's)), a depthwise one, max pooling and a residual carry the padding channel by channel, a convolution
/// reading it gets zero weights for them, and a concatenation takes them out of the block of zeros after the part (so
/// they must be zero there) or adds a block of zeros to its own output. Graph outputs keep their width.</summary>
internal static class QuadPadding
{
    public static ModelGraph Apply(ModelGraph g)
    {
        var padded = Paddable(g);
        if (padded.Count == 0) return g;
        var wide = padded.ToDictionary(v => v, v => new Value(v.Name, v.Shape with { C = ChannelMaps.Quads(v.Shape.C) }, v.Layout));
        return g.WithNodes(g.Nodes.Select(n => Rewrite(n, wide)).ToList());
    }

    /// <summary>The values of other widths whose producer and readers all take the padding: the largest such set, found by
    /// dropping values that break a rule until none does (a rule may need a neighbouring value padded too).</summary>
    private static HashSet<Value> Paddable(ModelGraph g)
    {
        var uses = new ValueUses(g);
        var producer = g.Nodes.ToDictionary(n => n.Output);
        var set = g.Nodes.Select(n => n.Output).Where(v => v.Shape.C % 4 != 0 && !g.Outputs.Contains(v)).ToHashSet();
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var v in set.ToList())
                if (!Writes(producer[v], set) || !uses.Consumers(v).All(r => Reads(r, v, set, producer)))
                    changed = set.Remove(v);
        }
        return set;
    }

    // Whether the producer of a value in the set can write it padded.
    private static bool Writes(Node node, HashSet<Value> set) => node switch
    {
        Conv2dOp c => (c.Groups == 1 || c.IsDepthwise && set.Contains(c.Input)) && (c.Residual is null || set.Contains(c.Residual)),
        MaxPoolOp p => set.Contains(p.Input),
        ConcatOp => true,
        MappedConvOp m => m.TargetQuads is null && m.Conv.Groups == 1,
        _ => false,
    };

    // Whether a reader of v (in the set) can read it padded.
    private static bool Reads(Node node, Value v, HashSet<Value> set, Dictionary<Value, Node> producer) => node switch
    {
        Conv2dOp c => (c.Input != v || c.Groups == 1 || c.IsDepthwise && set.Contains(c.Output)) && (c.Residual != v || set.Contains(c.Output)),
        MaxPoolOp p => set.Contains(p.Output),
        ConcatOp c => c.Parts.Count(p => p == v) == 1 && ZerosAfter(c, c.Parts.ToList().IndexOf(v)) >= ChannelMaps.Quads(v.Shape.C) - v.Shape.C &&
            PaddingIsZero(v, set, producer),
        MappedConvOp m => m.Source == v && m.SourceQuads is null && m.Conv.Groups == 1 && m.Gate != v && m.Into != v,
        _ => false,
    };

    // The channels of zero blocks that directly follow part i.
    private static int ZerosAfter(ConcatOp c, int i) =>
        Enumerable.Range(i + 1, c.Parts.Count - i - 1).TakeWhile(k => c.Parts[k] is null).Sum(k => c.Channels[k]);

    // Whether a padded value's padding channels hold zeros (what a concatenation's zero block held before).
    private static bool PaddingIsZero(Value v, HashSet<Value> set, Dictionary<Value, Node> producer) => producer[v] switch
    {
        Conv2dOp c => ActivationMath.Apply(0, c.Activation) == 0 && (c.Residual is null || PaddingIsZero(c.Residual, set, producer)),
        MaxPoolOp p => PaddingIsZero(p.Input, set, producer),
        ConcatOp => true,
        _ => false,
    };

    private static Node Rewrite(Node node, Dictionary<Value, Value> wide)
    {
        Value Wide(Value v) => wide.GetValueOrDefault(v, v);
        switch (node)
        {
            case Conv2dOp c:
                return Padded(c, Wide(c.Input), Wide(c.Output)) with { Residual = c.Residual is null ? null : Wide(c.Residual) };
            case MaxPoolOp p:
                return p with { Input = Wide(p.Input), Output = Wide(p.Output) };
            case ConcatOp c:
                return Padded(c, wide);
            case MappedConvOp m:
            {
                // Its gathered input and scattered output are whole quads already; what it reads or writes plainly may not be.
                var conv = m.SourceQuads is null ? Padded(m.Conv, Wide(m.Source), m.Conv.Output) : m.Conv;
                var output = m.TargetQuads is null ? Wide(m.Output) : m.Output;
                if (output != m.Output) conv = WithOutput(conv, output);
                return m with { Conv = conv, Source = m.SourceQuads is null ? Wide(m.Source) : m.Source, Output = output };
            }
            default:
                return node;
        }
    }

    // The convolution reading a wider input and writing a wider output.
    private static Conv2dOp Padded(Conv2dOp c, Value input, Value output)
    {
        if (c.IsDepthwise && input != c.Input)
        {
            var rows = ChannelMaps.PaddedIdentity(c.OutC);
            return c with
            {
                Input = input, Output = output, Groups = rows.Length,
                Weights = ChannelMaps.Rows(c.Weights, c.KernelH * c.KernelW, rows),
                Bias = c.Bias is null ? null : ChannelMaps.Rows(c.Bias, 1, rows),
            };
        }
        if (input != c.Input)
        {
            // OIHW: each (output, input channel) pair is a row of taps; the new input channels get zero rows.
            var rows = Enumerable.Range(0, c.OutC).SelectMany(o => Enumerable.Range(0, input.Shape.C).Select(i => i < c.InC ? o * c.InC + i : -1)).ToArray();
            c = c with { Input = input, Weights = ChannelMaps.Rows(c.Weights, c.KernelH * c.KernelW, rows) };
        }
        return output != c.Output ? WithOutput(c, output) : c;
    }

    // The concatenation of padded parts (their padding taken out of the zero blocks after them), itself padded at the end.
    private static ConcatOp Padded(ConcatOp c, Dictionary<Value, Value> wide)
    {
        var parts = new List<Value?>();
        var channels = new List<int>();
        int owed = 0;
        for (int i = 0; i < c.Parts.Count; i++)
        {
            var part = c.Parts[i];
            int count = c.Channels[i];
            if (part is null)
            {
                int taken = Math.Min(owed, count);
                (owed, count) = (owed - taken, count - taken);
                if (count == 0) continue;
            }
            else if (wide.TryGetValue(part, out var w))
            {
                (part, owed, count) = (w, w.Shape.C - part.Shape.C, w.Shape.C);
            }
            parts.Add(part);
            channels.Add(count);
        }
        var output = wide.GetValueOrDefault(c.Output, c.Output);
        if (output != c.Output)
        {
            int extra = output.Shape.C - c.Output.Shape.C;
            if (parts[^1] is null) channels[^1] += extra;
            else (parts, channels) = ([.. parts, null], [.. channels, extra]);
        }
        return c with { Parts = parts, Channels = channels, Output = output };
    }

    /// <summary>The convolution (ungrouped, any kernel) writing a wider output: zero filters and bias for the new channels.</summary>
    internal static Conv2dOp WithOutput(Conv2dOp c, Value output)
    {
        var rows = Enumerable.Range(0, c.OutC).Concat(Enumerable.Repeat(-1, output.Shape.C - c.OutC)).ToArray();
        return c with
        {
            Output = output, Weights = ChannelMaps.Rows(c.Weights, c.Weights.Length / c.OutC, rows),
            Bias = c.Bias is null ? null : ChannelMaps.Rows(c.Bias, 1, rows),
        };
    }
}
