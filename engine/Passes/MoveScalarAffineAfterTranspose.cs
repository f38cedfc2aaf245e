using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Runs a scalar affine map (a 1x1 depthwise convolution with one scale and one shift for every channel, no
/// activation: what BatchNormToDepthwise makes of TF's input normalisation, x / 127.5 - 1) after the Transpose that alone
/// reads it instead of before: the two commute, and after the transpose the map works on the channels the next layers
/// use. An NHWC image input then goes straight into the transpose, which writes the packed stem's input itself
/// (<see cref="Ops.TransposeProvider"/>), and the map runs packed on those channels, where before the image was packed as
/// H channels for the map, unpacked by the transpose and packed again for the stem.</summary>
internal static class MoveScalarAffineAfterTranspose
{
    /// <summary>Until none is left to move: a chain of such maps (x / 127.5, then - 1) moves one map at a time.</summary>
    public static ModelGraph Apply(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var moved = MoveOnce(g);
        return ReferenceEquals(moved, g) ? g : Apply(moved);
    }

    private static ModelGraph MoveOnce(ModelGraph g)
    {
        var uses = new ValueUses(g);
        var replaced = new Dictionary<Node, Node[]>();
        foreach (var node in g.Nodes)
        {
            if (node is not Conv2dOp affine || !IsScalarAffine(affine) || uses.SoleConsumer(affine.Output) is not TransposeOp t) continue;
            var moved = new Value($"{t.Output.Name}/before_affine", t.Output.Shape);
            int c = t.Output.Shape.C;
            replaced[affine] = [];
            replaced[t] =
            [
                t with { Input = affine.Input, Output = moved },
                affine with
                {
                    Input = moved, Output = t.Output, Groups = c,
                    Weights = Enumerable.Repeat(affine.Weights[0], c).ToArray(),
                    Bias = affine.Bias is null ? null : Enumerable.Repeat(affine.Bias[0], c).ToArray(),
                },
            ];
        }
        if (replaced.Count == 0) return g;
        return g.WithNodes(g.Nodes.SelectMany(n => replaced.TryGetValue(n, out var r) ? r : [n]).ToList());
    }

    /// <summary>A 1x1 stride-1 unpadded depthwise convolution without activation or residual whose weights (and biases)
    /// are all one value: the same map on every channel.</summary>
    internal static bool IsScalarAffine(Conv2dOp c) =>
        c.IsDepthwise && c.KernelH == 1 && c.KernelW == 1 && c.StrideH == 1 && c.StrideW == 1 && c.Pad.IsZero &&
        c.Activation == Activation.None && c.Residual is null &&
        c.Weights.All(w => w == c.Weights[0]) && (c.Bias is null || c.Bias.All(b => b == c.Bias[0]));
}
