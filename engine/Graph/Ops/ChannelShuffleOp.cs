namespace GpuMobileNet.Graph.Ops;

/// <summary>ShuffleNet's channel shuffle: the channels seen as a <see cref="Groups"/> x (C / Groups) matrix, transposed.
/// Output channel c is input channel (c % Groups) * (C / Groups) + c / Groups, so each group of the next grouped
/// convolution sees channels from every group of the previous one.</summary>
internal sealed record ChannelShuffleOp(string Name, Value Input, Value Output, int Groups) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Input];

    /// <inheritdoc/>
    public override string OpType => "ChannelShuffle";

    /// <summary>The input channel that output channel <paramref name="c"/> is.</summary>
    public int SourceChannel(int c) => c % Groups * (Input.Shape.C / Groups) + c / Groups;
}
