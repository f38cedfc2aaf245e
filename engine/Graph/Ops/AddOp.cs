namespace GpuMobileNet.Graph.Ops;

/// <summary>Element-wise sum of two tensors of the same shape, then an optional activation.</summary>
internal sealed record AddOp(string Name, Value A, Value B, Value Output, Activation Activation = Activation.None) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [A, B];
    /// <inheritdoc/>
    public override string OpType => "Add";
}
