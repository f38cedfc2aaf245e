using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Splits a fully connected layer or an ungrouped convolution whose weights exceed what one weight buffer of
/// the device may bind (<see cref="PassOptions.MaxWeightElements"/>: maxStorageBufferRange, one allocation) into
/// layers over blocks of output units (channels), whose outputs a concatenation joins: VGG-16's fc6 (25088 x 4096,
/// 411 MB in fp32) against lavapipe's 128 MiB becomes 7 dense layers of 588 units. Each part's weights then go in a
/// buffer of their own (<see cref="Planning.WeightPacker"/>). A part gets at most half a buffer for a dense layer (its
/// kernel pads units to whole quads) and a quarter for a convolution (Winograd F(4x4, 3x3) transforms 9 taps into 36).
/// Convolutions with a residual are left alone (the residual would need splitting too); what still does not fit is
/// refused when kernels are chosen, naming the layer.</summary>
internal static class SplitLargeWeights
{
    public static ModelGraph Apply(ModelGraph g, long maxWeightElements)
    {
        ArgumentNullException.ThrowIfNull(g);
        if (!g.Nodes.Any(n => PartUnits(n, maxWeightElements) is not null)) return g;
        var nodes = new List<Node>();
        foreach (var node in g.Nodes)
        {
            if (PartUnits(node, maxWeightElements) is not int units)
            {
                nodes.Add(node);
                continue;
            }
            var parts = new List<Value?>();
            var channels = new List<int>();
            for (int first = 0; first < node.Output.Shape.C; first += units)
            {
                int count = Math.Min(units, node.Output.Shape.C - first);
                var part = Part(node, first, count, parts.Count);
                nodes.Add(part);
                parts.Add(part.Output);
                channels.Add(count);
            }
            nodes.Add(new ConcatOp(node.Name + "/joined", parts, channels, node.Output));
        }
        return g.WithNodes(nodes);
    }

    /// <summary>Output units per part where <paramref name="node"/> must be split (a multiple of 4), else null (no
    /// split needed, or not even 4 units fit).</summary>
    private static int? PartUnits(Node node, long maxWeightElements)
    {
        (long weights, long perUnit, int share) = node switch
        {
            DenseOp d => (d.Weights.LongLength, (long)d.InFeatures, 2),
            Conv2dOp { Groups: 1, Residual: null } c => (c.Weights.LongLength, (long)c.InC * c.KernelH * c.KernelW, 4),
            _ => (0L, 1L, 1),
        };
        long budget = maxWeightElements / share;
        if (weights <= budget) return null;
        long most = budget / perUnit / 4 * 4;
        if (most < 4) return null;
        // As few parts as fit, of about equal size (whole quads).
        long parts = (node.Output.Shape.C + most - 1) / most;
        return (int)(((node.Output.Shape.C + parts - 1) / parts + 3) / 4 * 4);
    }

    /// <summary>Output units [<paramref name="first"/>, first + <paramref name="count"/>) of <paramref name="node"/> as a
    /// layer of their own, writing a value of <paramref name="count"/> channels.</summary>
    private static Node Part(Node node, int first, int count, int index)
    {
        var output = new Value($"{node.Output.Name}/part{index}", node.Output.Shape with { C = count }, node.Output.Layout);
        string name = $"{node.Name}/part{index}";
        return node switch
        {
            DenseOp d => d with { Name = name, Output = output, Weights = Rows(d.Weights, d.InFeatures, first, count)!, Bias = Rows(d.Bias, 1, first, count) },
            Conv2dOp c => c with
            {
                Name = name, Output = output, Weights = Rows(c.Weights, c.InC * c.KernelH * c.KernelW, first, count)!, Bias = Rows(c.Bias, 1, first, count),
            },
            _ => throw new InvalidOperationException($"{node}: not a layer {nameof(SplitLargeWeights)} splits"),
        };
    }

    /// <summary>Rows [<paramref name="first"/>, first + <paramref name="count"/>) of a row-major array of rows of
    /// <paramref name="rowLength"/>.</summary>
    private static float[]? Rows(float[]? data, int rowLength, int first, int count) =>
        data?.AsSpan((int)((long)first * rowLength), (int)((long)count * rowLength)).ToArray();
}
