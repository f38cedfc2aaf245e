namespace GpuMobileNet.Graph.Ops;

/// <summary>Softmax along one axis of a sample seen as row-major [Outer, Axis, Inner] (ONNX Softmax on any axis but the
/// batch's; opsets before 13 flatten the trailing axes into one, which is Inner = 1). The classifier's softmax over the
/// channels of C x 1 x 1 stays <see cref="SoftmaxOp"/>.</summary>
internal sealed record AxisSoftmaxOp(string Name, Value Input, Value Output, int Outer, int Axis, int Inner) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Input];

    /// <inheritdoc/>
    public override string OpType => "AxisSoftmax";
}
