namespace GpuMobileNet.Graph.Ops;

/// <summary>One part of a channel concatenation computed straight into its channels of the joined buffer, made by
/// <see cref="Passes.FoldConcatWriters"/> so the concatenation is no copy (ShuffleNetV1's stride-2 unit: the average
/// pool of the shortcut and the grouped 1x1 of the branch each write their channels of one buffer). <see cref="Part"/> is
/// the op that computes the part (an <see cref="AvgPoolOp"/>, a <see cref="ShuffledReadConvOp"/> or a 1x1
/// <see cref="Conv2dOp"/>); its own Output only carries the part's shape and layout, no op stores it. The output is
/// <see cref="Into"/> (the same memory: the op writes in place) with channels <see cref="FirstChannel"/> onwards replaced
/// by the part's (whole quads where the tensors are NC4HW4); with no <see cref="Into"/> (the first writer) the other
/// channels are left for the later writers (zero on the oracle).</summary>
internal sealed record ConcatPartWriteOp(string Name, Node Part, Value? Into, int FirstChannel, Value Output) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => Into is null ? Part.Inputs : [.. Part.Inputs, Into];

    /// <inheritdoc/>
    public override string OpType => Part.OpType + "IntoConcat";
}
