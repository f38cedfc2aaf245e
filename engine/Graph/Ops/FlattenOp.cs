namespace GpuMobileNet.Graph.Ops;

/// <summary>Reshape C x H x W to (C*H*W) x 1 x 1 in NCHW order. Costs nothing on the GPU: same memory.</summary>
internal sealed record FlattenOp(string Name, Value Input, Value Output) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Input];
    /// <inheritdoc/>
    public override string OpType => "Flatten";
}
