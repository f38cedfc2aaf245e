namespace GpuMobileNet.Graph.Ops;

/// <summary>Average pooling. Padded positions are excluded from the average (TF/Keras semantics).
/// A kernel covering the whole input is a global average pool.</summary>
internal sealed record AvgPoolOp(
    string Name, Value Input, Value Output,
    int KernelH, int KernelW, int StrideH, int StrideW, Padding Pad) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Input];
    /// <inheritdoc/>
    public override string OpType => "AvgPool";
    /// <summary>Whether the window covers the whole input (global average pooling).</summary>
    public bool IsGlobal => KernelH == Input.Shape.H && KernelW == Input.Shape.W && Output.Shape.H == 1 && Output.Shape.W == 1;
}
