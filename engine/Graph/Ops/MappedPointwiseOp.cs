namespace GpuMobileNet.Graph.Ops;

/// <summary>A 1x1 convolution that reads and writes channels of larger tensors through index maps, made by
/// <see cref="Passes.FoldChannelViews"/> so that channel splits, concatenations and shuffles cost no pass of their own.
/// It reads input channel c of <see cref="Conv"/> from channel <see cref="SourceChannels"/>[c] of <see cref="Source"/>
/// (all of <see cref="Source"/> in order when null). With <see cref="TargetChannels"/> set, its output is
/// <see cref="Into"/> (the same memory: the op writes in place) with channel <see cref="TargetChannels"/>[o] replaced
/// by the convolution's output channel o (o is skipped where the entry is -1); with no <see cref="Into"/>, the other
/// channels are undefined (zero on the oracle). Without <see cref="TargetChannels"/> the output is the convolution's.
/// <see cref="Conv"/>'s own Input is the gathered tensor, which no op writes.</summary>
internal sealed record MappedPointwiseOp(string Name, Conv2dOp Conv, Value Source, int[]? SourceChannels, Value? Into,
    int[]? TargetChannels, Value Output) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => Into is null ? [Source] : [Source, Into];

    /// <inheritdoc/>
    public override string OpType => "MappedPointwise";
}
