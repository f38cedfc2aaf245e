namespace GpuMobileNet.Graph.Ops;

/// <summary>A channel concatenation of <see cref="Parts"/> followed by a channel shuffle of <see cref="Groups"/>
/// groups (ShuffleNetV2's unit end), made by <see cref="Passes.FoldChannelShuffle"/>: each part is written once,
/// straight to its shuffled channels, instead of a concatenation pass and then a shuffle pass.</summary>
internal sealed record ShuffledConcatOp(string Name, IReadOnlyList<Value> Parts, Value Output, int Groups) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => Parts;

    /// <inheritdoc/>
    public override string OpType => "ShuffledConcat";
}
