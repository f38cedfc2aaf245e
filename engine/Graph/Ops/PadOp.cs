namespace GpuMobileNet.Graph.Ops;

/// <summary>Zero padding of the spatial dimensions (Keras ZeroPadding2D). Usually folded into the next convolution.</summary>
internal sealed record PadOp(string Name, Value Input, Value Output, Padding Pad) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Input];
    /// <inheritdoc/>
    public override string OpType => "Pad";
}
