namespace GpuMobileNet.Graph.Ops;

/// <summary>Softmax over the channel dimension of a flattened (C x 1 x 1) tensor.</summary>
internal sealed record SoftmaxOp(string Name, Value Input, Value Output) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Input];
    /// <inheritdoc/>
    public override string OpType => "Softmax";
}
