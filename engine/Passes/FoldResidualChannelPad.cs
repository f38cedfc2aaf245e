using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Kernels;
using GpuMobileNet.Tensors;

namespace GpuMobileNet.Passes;

/// <summary>Removes a channel pad that only feeds a residual: BlazeFace widens its shortcut with zero channels before each
/// Add whose block widens (TF's channel Pad, ncnn's Padding with 8=k), which the importers make a concatenation of the
/// shortcut and a block of zeros. Where that concatenation is read only as the residual of a packed 1x1 convolution, the
/// convolution reads the unpadded shortcut instead and adds nothing to the channels past it (a residual narrower than
/// the output, <see cref="Conv2dOp.HasNarrowResidual"/>), so the copy dispatch goes. Runs after the layout decision: only
/// the packed 1x1 kernels (pointwise_conv_packed, pointwise_conv_shared) take a narrower residual, and only whole quads.</summary>
internal static class FoldResidualChannelPad
{
    /// <summary>The graph with every such pad folded into the convolution that reads it (unchanged where there is none).</summary>
    public static ModelGraph Apply(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var uses = new ValueUses(g);
        var producer = g.Nodes.ToDictionary(n => n.Output);
        var replaced = new Dictionary<Node, Node?>();
        foreach (var node in g.Nodes)
        {
            if (node is not Conv2dOp { Residual: { } residual } conv || !KernelCapabilities.RunsOnPackedPointwise(conv)) continue;
            if (!producer.TryGetValue(residual, out var p) || p is not ConcatOp pad || uses.SoleConsumer(residual) != conv) continue;
            if (ShortcutOf(pad) is not { } shortcut) continue;
            replaced[pad] = null;
            replaced[conv] = conv with { Residual = shortcut };
        }
        return g.Replacing(replaced);
    }

    /// <summary>The first part of <paramref name="pad"/> when every later part is zeros and it is whole packed quads.</summary>
    private static Value? ShortcutOf(ConcatOp pad) =>
        pad.Parts.Count > 1 && pad.Parts[0] is { } first && pad.Parts.Skip(1).All(x => x is null) &&
        first.Layout == TensorLayout.Nc4hw4 && first.Shape.C % 4 == 0 ? first : null;
}
