using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Passes;

/// <summary>Pads channel counts to multiples of 4 with zero weights where <see cref="FoldChannelViews"/> (or any graph whose
/// channels are packed) left a 1x1 convolution → depthwise → 1x1 convolution chain of other widths (ShuffleNetV2 1.0's
/// 58-channel branches, ShuffleNetV1 g = 1's 18 and 54 at widths 0.5 and 1.5), so the
/// channel-packed kernels run it: the first convolution gets zero rows (its padding channels are act(0)), the depthwise
/// zero taps, the last zero columns, so the padding never reaches a real channel.</summary>
internal static class QuadPadding
{
    public static ModelGraph Apply(ModelGraph g)
    {
        var readers = new Dictionary<Value, List<Node>>();
        foreach (var n in g.Nodes)
            foreach (var v in n.Inputs) (readers.TryGetValue(v, out var r) ? r : readers[v] = []).Add(n);
        List<Node> ReadersOf(Value v) => g.Outputs.Contains(v) ? [null!] : readers.GetValueOrDefault(v, []);
        bool ReadsWhole(Node? n, Value v) => n is Conv2dOp { IsPointwise: true } c && c.Input == v && c.Residual != v
            || n is MappedConvOp { SourceQuads: null, Conv.IsPointwise: true } m && m.Source == v;
        bool Paddable(Value v) => v.Shape.C % 4 != 0 && ReadersOf(v) is { Count: > 0 } rs && rs.All(r =>
            r is Conv2dOp { IsDepthwise: true, Residual: null } dw && ReadersOf(dw.Output) is { Count: > 0 } next && next.All(n => ReadsWhole(n, dw.Output)));

        var padded = new Dictionary<Value, Value>();
        Value Pad(Value v) => padded[v] = new Value(v.Name, v.Shape with { C = ChannelMaps.Quads(v.Shape.C) });
        var nodes = new List<Node>();
        foreach (var node in g.Nodes)
        {
            switch (node)
            {
                case Conv2dOp { IsDepthwise: true } dw when padded.TryGetValue(dw.Input, out var input):
                {
                    var rows = ChannelMaps.PaddedIdentity(dw.OutC);
                    nodes.Add(dw with
                    {
                        Input = input, Output = Pad(dw.Output), Groups = rows.Length,
                        Weights = ChannelMaps.Rows(dw.Weights, dw.KernelH * dw.KernelW, rows),
                        Bias = dw.Bias is null ? null : ChannelMaps.Rows(dw.Bias, 1, rows),
                    });
                    break;
                }
                case Conv2dOp { IsPointwise: true } c:
                {
                    var conv = padded.TryGetValue(c.Input, out var input) ? WithInput(c, input) : c;
                    nodes.Add(Paddable(c.Output) ? WithOutput(conv, Pad(c.Output)) : conv);
                    break;
                }
                case MappedConvOp m:
                {
                    // Its gathered input and scattered output are whole quads already; what it reads or writes plainly may not be.
                    var conv = m.Conv;
                    var source = m.Source;
                    if (m.SourceQuads is null && padded.TryGetValue(m.Source, out var input))
                        (conv, source) = (WithInput(conv, input), input);
                    var output = m.Output;
                    if (m.TargetQuads is null && Paddable(m.Output))
                    {
                        conv = WithOutput(conv, Pad(m.Output));
                        output = conv.Output;
                    }
                    nodes.Add(m with { Conv = conv, Source = source, Output = output });
                    break;
                }
                default:
                    nodes.Add(node);
                    break;
            }
        }
        return padded.Count == 0 && nodes.SequenceEqual(g.Nodes) ? g : g.WithNodes(nodes);
    }

    // The convolution reading a wider input: zero weight columns for the new channels.
    private static Conv2dOp WithInput(Conv2dOp c, Value input) =>
        c with { Input = input, Weights = ChannelMaps.Columns(c.Weights, c.OutC, c.InC, Enumerable.Range(0, c.InC).Concat(Enumerable.Repeat(-1, input.Shape.C - c.InC)).ToArray()) };

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
