using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Export.Onnx;

/// <summary>ONNX mappings of the channel-rearranging ops the ShuffleNets and GhostNet use (concatenation, channel
/// range, channel shuffle), of max pooling and of the element-wise / per-channel product.</summary>
internal static partial class OnnxNodeMapper
{
    private static void Concat(ConcatOp c, OnnxGraphWriter w)
    {
        if (c.Parts.Any(p => p is null))
            throw new NotSupportedException($"ONNX export: {c} has a block of zeros as a part, which has no ONNX mapping here");
        w.AddNode("Concat", c.Name, c.Parts.Select(p => w.Tensor(p!, 4)), w.Define(c.Output, 4), Attr.Int("axis", 1));
    }

    private static void SliceChannels(SliceChannelsOp sc, OnnxGraphWriter w)
    {
        var starts = w.AddInt64Initializer($"{sc.Name}.starts", [sc.First]);
        var ends = w.AddInt64Initializer($"{sc.Name}.ends", [sc.First + sc.Output.Shape.C]);
        var axes = w.AddInt64Initializer($"{sc.Name}.axes", [1]);
        w.AddNode("Slice", sc.Name, [w.Tensor(sc.Input, 4), starts, ends, axes], w.Define(sc.Output, 4));
    }

    /// <summary>Reshape to [N, groups, C / groups, H, W], swap axes 1 and 2, reshape back: the form PyTorch exports.</summary>
    private static void ChannelShuffle(ChannelShuffleOp cs, OnnxGraphWriter w)
    {
        var s = cs.Input.Shape;
        var split = w.AddInt64Initializer($"{cs.Name}.split_shape", [0, cs.Groups, s.C / cs.Groups, s.H, s.W]);
        var merged = w.AddInt64Initializer($"{cs.Name}.merged_shape", [0, s.C, s.H, s.W]);
        string grouped = w.Temp($"{cs.Name}_grouped"), swapped = w.Temp($"{cs.Name}_swapped");
        w.AddNode("Reshape", $"{cs.Name}_split", [w.Tensor(cs.Input, 4), split], grouped);
        w.AddNode("Transpose", $"{cs.Name}_transpose", [grouped], swapped, Attr.Ints("perm", 0, 2, 1, 3, 4));
        w.AddNode("Reshape", $"{cs.Name}_merge", [swapped, merged], w.Define(cs.Output, 4));
    }

    private static void MaxPool(MaxPoolOp p, OnnxGraphWriter w) =>
        w.AddNode("MaxPool", p.Name, [w.Tensor(p.Input, 4)], w.Define(p.Output, 4),
            Attr.Ints("kernel_shape", p.KernelH, p.KernelW),
            Attr.Ints("strides", p.StrideH, p.StrideW),
            Attr.Ints("pads", Pads(p.Pad)));

}
