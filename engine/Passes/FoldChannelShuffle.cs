using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Passes;

/// <summary>Folds ShuffleNetV1's channel shuffle into the grouped 1x1 convolution after it: shuffle → depthwise →
/// grouped 1x1 becomes depthwise' → grouped 1x1 reading through the shuffle (<see cref="ShuffledReadConvOp"/>).
/// A depthwise conv (and its fused activation) works channel by channel, so it commutes with any channel permutation
/// once its per-channel weights and bias are permuted the same way: depthwise(shuffle(x)) = shuffle(depthwise'(x)).
/// Only when the shuffle and the depthwise output each have that one reader.
/// <para>Also folds a shuffle after a concatenation (ShuffleNetV2's unit end) into a <see cref="ShuffledConcatOp"/>
/// whose parts write their shuffled channels directly, when the concatenation has no other reader.</para></summary>
internal static class FoldChannelShuffle
{
    /// <summary>The graph with every shuffle → depthwise → grouped 1x1 chain folded.</summary>
    public static ModelGraph Apply(ModelGraph g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var uses = new ValueUses(g);
        int Uses(Value v) => uses.Count(v);
        var producer = g.Nodes.ToDictionary(n => n.Output);
        var replaced = new Dictionary<Node, Node?>();
        foreach (var node in g.Nodes)
        {
            if (node is not Conv2dOp grouped || !IsGroupedPointwise(grouped) || grouped.Residual == grouped.Input) continue;
            if (!producer.TryGetValue(grouped.Input, out var p) || p is not Conv2dOp { IsDepthwise: true, Residual: null } dw || Uses(dw.Output) != 1) continue;
            if (!producer.TryGetValue(dw.Input, out var s) || s is not ChannelShuffleOp shuffle || Uses(shuffle.Output) != 1) continue;
            var unshuffled = new Value(dw.Output.Name + "/unshuffled", dw.Output.Shape);
            var dwPrime = dw with { Input = shuffle.Input, Output = unshuffled, Weights = Permute(dw.Weights, shuffle, dw.KernelH * dw.KernelW), Bias = dw.Bias is null ? null : Permute(dw.Bias, shuffle, 1) };
            replaced[shuffle] = null;
            replaced[dw] = dwPrime;
            replaced[grouped] = new ShuffledReadConvOp(grouped.Name, unshuffled, grouped, shuffle.Groups);
        }
        foreach (var node in g.Nodes)
        {
            if (node is not ChannelShuffleOp shuffle || replaced.ContainsKey(shuffle)) continue;
            if (!producer.TryGetValue(shuffle.Input, out var p) || p is not ConcatOp concat || Uses(concat.Output) != 1 || concat.Parts.Any(x => x is null)) continue;
            replaced[concat] = null;
            replaced[shuffle] = new ShuffledConcatOp(concat.Name, concat.Parts.Select(x => x!).ToList(), shuffle.Output, shuffle.Groups);
        }
        return g.Replacing(replaced);
    }

    private static bool IsGroupedPointwise(Conv2dOp c) =>
        c.KernelH == 1 && c.KernelW == 1 && c.StrideH == 1 && c.StrideW == 1 && c.Pad.IsZero && c.Groups > 1 && !c.IsDepthwise;

    // depthwise' channel j is the depthwise channel c whose input the shuffle took from channel j.
    private static float[] Permute(float[] perChannel, ChannelShuffleOp shuffle, int size)
    {
        var result = new float[perChannel.Length];
        for (int c = 0; c < shuffle.Input.Shape.C; c++)
            Array.Copy(perChannel, c * size, result, shuffle.SourceChannel(c) * size, size);
        return result;
    }
}
