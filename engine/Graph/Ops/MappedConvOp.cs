namespace GpuMobileNet.Graph.Ops;

/// <summary>A 1x1 or depthwise convolution that reads and writes whole channel quads of larger tensors through quad
/// tables, made by <see cref="Passes.FoldChannelViews"/> so that channel splits, concatenations and shuffles cost no pass
/// of their own. Input channel 4k + j of <see cref="Conv"/> is channel 4 x <see cref="SourceQuads"/>[k] + j of
/// <see cref="Source"/> (all of <see cref="Source"/> in order when null). With <see cref="TargetQuads"/> set, the output
/// is <see cref="Into"/> (the same memory: the op writes in place) with quad <see cref="TargetQuads"/>[k] replaced by the
/// convolution's output channels 4k..4k+3; with no <see cref="Into"/> the other quads are undefined (zero on the oracle).
/// Without <see cref="TargetQuads"/> the output is the convolution's. <see cref="Conv"/>'s own Input and Output are the
/// gathered and unscattered tensors, which no op writes. A depthwise convolution's tables are ranges (its kernel takes
/// a first quad). A 1x1 one reading all of <see cref="Source"/> may scale it per channel by <see cref="Gate"/> as it reads
/// (a squeeze-and-excite product folded in by <see cref="Passes.FuseChannelGate"/>, as in <see cref="GatedPointwiseOp"/>).</summary>
internal sealed record MappedConvOp(string Name, Conv2dOp Conv, Value Source, int[]? SourceQuads, Value? Into,
    int[]? TargetQuads, Value Output, Value? Gate = null) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Source, .. Into is null ? Array.Empty<Value>() : [Into], .. Gate is null ? Array.Empty<Value>() : [Gate]];

    /// <inheritdoc/>
    public override string OpType => "MappedConv";
}
