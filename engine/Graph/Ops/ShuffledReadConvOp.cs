namespace GpuMobileNet.Graph.Ops;

/// <summary>A grouped 1x1 convolution that reads <see cref="Input"/> through a channel shuffle of
/// <see cref="ShuffleGroups"/> groups: <see cref="Conv"/> applied to ChannelShuffle(Input). Made by
/// <see cref="Passes.FoldChannelShuffle"/> so the shuffle is an index map in the convolution's read, not a pass over
/// the tensor. <see cref="Conv"/>'s own Input is the shuffled tensor, which no op writes.</summary>
internal sealed record ShuffledReadConvOp(string Name, Value Input, Conv2dOp Conv, int ShuffleGroups) : Node(Name, Conv.Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => Conv.Residual is null ? [Input] : [Input, Conv.Residual];

    /// <inheritdoc/>
    public override string OpType => "ShuffledReadConv";
}
