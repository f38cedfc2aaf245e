namespace GpuMobileNet.Graph.Ops;

/// <summary>A channel-packed 1x1 convolution that stores its output channels-last: the Transpose to [H, W, C] (perm 1, 2,
/// 0) that a TF model exported to ONNX puts after each head (BlazeFace's box and score heads) folded into the store, made
/// by <see cref="Passes.FoldChannelsLastStore"/>. <see cref="Conv"/>'s own output (which may be padded to whole quads) is
/// never written; the output is [H, W, C'] as the graph's C, H, W, holding its first C' channels.</summary>
internal sealed record ChannelsLastConvOp(string Name, Conv2dOp Conv, Value Output) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => Conv.Inputs;

    /// <inheritdoc/>
    public override string OpType => "ChannelsLastConv";
}
