namespace GpuMobileNet.Graph.Ops;

/// <summary>Output channel c is input channel <see cref="Channels"/>[c]: a folded channel view (a split or shuffle of a
/// pool of channels, <see cref="Passes.FoldChannelViews"/>) made into a plain tensor for a reader that cannot read
/// the pool through a quad table (a resize, a pad, a convolution with a residual).</summary>
internal sealed record GatherChannelsOp(string Name, Value Input, Value Output, int[] Channels) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Input];
    /// <inheritdoc/>
    public override string OpType => "GatherChannels";
}
