namespace GpuMobileNet.Graph.Ops;

/// <summary>Max pooling; padded positions are never the maximum (ONNX semantics: they do not take part).</summary>
internal sealed record MaxPoolOp(
    string Name, Value Input, Value Output,
    int KernelH, int KernelW, int StrideH, int StrideW, Padding Pad) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Input];
    /// <inheritdoc/>
    public override string OpType => "MaxPool";
}
