namespace GpuMobileNet.Graph.Ops;

/// <summary>1 where the two tensors (same shape) are equal, else 0, as floats: ONNX Equal followed by a Cast to
/// float, as detection heads use it to keep the local maxima of a score map (x == maxpool(x)).</summary>
internal sealed record EqualOp(string Name, Value A, Value B, Value Output) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [A, B];
    /// <inheritdoc/>
    public override string OpType => "Equal";
}
