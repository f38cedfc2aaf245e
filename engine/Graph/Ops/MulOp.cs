namespace GpuMobileNet.Graph.Ops;

/// <summary>Element-wise product. <see cref="B"/> has the shape of <see cref="A"/>, or is C x 1 x 1 and scales each
/// channel of A (a squeeze-and-excite gate, ONNX broadcasting of [N, C, 1, 1] over [N, C, H, W]).</summary>
internal sealed record MulOp(string Name, Value A, Value B, Value Output) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [A, B];
    /// <inheritdoc/>
    public override string OpType => "Mul";
    /// <summary>Whether B is one value per channel (C x 1 x 1) broadcast over A's spatial extent.</summary>
    public bool IsChannelBroadcast => B.Shape != A.Shape;
}
