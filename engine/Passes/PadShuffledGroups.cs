using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Pads each group of a ShuffleNetV1 bottleneck to whole channel quads, so the packed grouped 1x1 kernel runs it
/// instead of the planar one (width 1.5's 30 channels per group in stage 2, g = 2's 25, width 0.5's 10) or its ragged
/// mode (g = 2's 50 in stage 3). The chain is 1x1 (grouped or not) → depthwise → grouped 1x1, reading through the shuffle
/// (<see cref="ShuffledReadConvOp"/>, after <see cref="FoldChannelShuffle"/>) or plainly (the Caffe ShuffleNet's first
/// unit, ncnn's shufflenet.param: 24 → 54 → depthwise → 54 → 216 in 3 groups of 18, with no shuffle).
/// <para>The shuffle stays the kernel's formula, now over the padded count: shuffled channel c' reads stored channel
/// (c' % S) · m' + c' / S, with m' the padded group width. So the first 1x1 writes each logical channel to the stored
/// position from which the formula hands it to the reader group and rank the logical shuffle gives it (positions are free
/// within the writer's own group block), padding positions get zero rows (act(0) = 0 for the activations it fuses: only
/// ReLU-like ones are taken), the depthwise follows the same placement with zero taps, and the reader's weight columns
/// follow it too, zero where a padding channel arrives. m' is the smallest multiple of 4 at least m for which every
/// (writer group, reader group) pair gets enough slots. Without a shuffle each group keeps its place, padded at its end.</para></summary>
internal static class PadShuffledGroups
{
    public static ModelGraph Apply(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var uses = new ValueUses(g);
        var producer = g.Nodes.ToDictionary(n => n.Output);
        var replaced = new Dictionary<Node, Node>();
        foreach (var node in g.Nodes)
        {
            if (GroupedRead(node) is not var (conv, input, shuffled)) continue;
            if (!producer.TryGetValue(input, out var p) || p is not Conv2dOp { IsDepthwise: true, Residual: null } dw || uses.Count(dw.Output) != 1) continue;
            if (!producer.TryGetValue(dw.Input, out var q) || q is not Conv2dOp first || uses.Count(first.Output) != 1 || !PadsCleanly(first, conv.Groups)) continue;
            int groups = conv.Groups, width = dw.OutC / groups;
            if (width % 4 == 0 || (shuffled ? Placement(groups, width) : InPlace(groups, width)) is not { } placement) continue;
            var (stored, column) = placement;
            int padded = column.Length;
            var mid = new Value(first.Output.Name, first.Output.Shape with { C = padded });
            var unshuffled = new Value(dw.Output.Name, dw.Output.Shape with { C = padded });
            int firstRow = first.Weights.Length / first.OutC, taps = dw.KernelH * dw.KernelW;
            replaced[first] = first with
            {
                Output = mid, Weights = ChannelMaps.Rows(first.Weights, firstRow, stored),
                Bias = first.Bias is null ? null : ChannelMaps.Rows(first.Bias, 1, stored),
            };
            replaced[dw] = dw with
            {
                Input = mid, Output = unshuffled, Groups = padded, Weights = ChannelMaps.Rows(dw.Weights, taps, stored),
                Bias = dw.Bias is null ? null : ChannelMaps.Rows(dw.Bias, 1, stored),
            };
            var weights = ReaderWeights(conv, column, width);
            replaced[node] = node is ShuffledReadConvOp read
                ? read with { Input = unshuffled, Conv = conv with { Input = new Value(conv.Input.Name, conv.Input.Shape with { C = padded }), Weights = weights } }
                : conv with { Input = unshuffled, Weights = weights };
        }
        return replaced.Count == 0 ? g : g.WithNodes(g.Nodes.Select(n => replaced.GetValueOrDefault(n, n)).ToList());
    }

    // A grouped 1x1 reading through a shuffle of its own group count, or plainly: its convolution, the tensor it reads
    // and whether through the shuffle.
    private static (Conv2dOp Conv, Value Input, bool Shuffled)? GroupedRead(Node node) => node switch
    {
        ShuffledReadConvOp r when r.Conv.Groups == r.ShuffleGroups => (r.Conv, r.Input, true),
        Conv2dOp c when c.Groups > 1 && !c.IsDepthwise && c.KernelH == 1 && c.KernelW == 1 && c.StrideH == 1 && c.StrideW == 1 && c.Pad.IsZero
            => (c, c.Input, false),
        _ => null,
    };

    // Each reader group b sees columns [b·m', (b+1)·m') of the (shuffled) padded tensor; column[c'] is the logical channel
    // there (its weight column, less the group's start b·m) or -1: zero weights.
    private static float[] ReaderWeights(Conv2dOp conv, int[] column, int width)
    {
        int groups = conv.Groups, slots = column.Length / groups, outPerGroup = conv.OutC / groups;
        var weights = new float[conv.OutC * slots];
        for (int o = 0; o < conv.OutC; o++)
        {
            int b = o / outPerGroup;
            for (int k = 0; k < slots; k++)
                if (column[b * slots + k] is var c and >= 0) weights[o * slots + k] = conv.Weights[o * width + c - b * width];
        }
        return weights;
    }

    // The first 1x1 may be grouped as the shuffle (each logical group a lands in stored block a) or ungrouped; its
    // padding channels must come out 0: no bias there (zero rows) and an activation with act(0) = 0.
    private static bool PadsCleanly(Conv2dOp c, int groups) =>
        c.KernelH == 1 && c.KernelW == 1 && c.StrideH == 1 && c.StrideW == 1 && c.Pad.IsZero && c.Residual is null && !c.IsDepthwise
        && (c.Groups == 1 || c.Groups == groups) && c.Activation is Activation.None or Activation.Relu or Activation.Relu6;

    /// <summary>For S groups of m channels: stored[p] = the logical channel at stored position p (-1: padding), and
    /// column[c'] = the logical shuffled channel the reader sees at padded shuffled position c' (-1: padding); null when
    /// no padded width up to m + 4·S fits.</summary>
    internal static (int[] Stored, int[] Column)? Placement(int groups, int width)
    {
        for (int padded = ChannelMaps.Quads(width); padded <= width + 4 * groups; padded += 4)
        {
            var stored = Enumerable.Repeat(-1, groups * padded).ToArray();
            var column = Enumerable.Repeat(-1, groups * padded).ToArray();
            bool fits = true;
            for (int b = 0; b < groups && fits; b++)
                for (int a = 0; a < groups && fits; a++)
                {
                    // Logical shuffled channels of reader group b drawn from writer group a, and the padded positions the
                    // formula hands reader group b from stored block a, both in increasing order.
                    var needed = Enumerable.Range(b * width, width).Where(c => c % groups == a).ToList();
                    var slots = Enumerable.Range(b * padded, padded).Where(c => c % groups == a).ToList();
                    if (slots.Count < needed.Count) { fits = false; break; }
                    for (int i = 0; i < needed.Count; i++)
                    {
                        int c = needed[i], cp = slots[i];
                        stored[cp % groups * padded + cp / groups] = c % groups * width + c / groups;
                        column[cp] = c;
                    }
                }
            if (fits) return (stored, column);
        }
        return null;
    }

    /// <summary>For S groups of m channels read without a shuffle: group a stays block a, its m channels first and the
    /// padding to a whole quad after them (stored and column alike).</summary>
    internal static (int[] Stored, int[] Column) InPlace(int groups, int width)
    {
        int padded = ChannelMaps.Quads(width);
        var map = Enumerable.Range(0, groups * padded).Select(p => p % padded < width ? p / padded * width + p % padded : -1).ToArray();
        return (map, map);
    }
}
