namespace GpuMobileNet.Graph.Ops;

/// <summary>Permutes the three per-sample axes (C, H, W = 0, 1, 2): output axis i is input axis Perm[i]. ONNX
/// Transpose with the batch axis left in place, e.g. an NHWC input turned NCHW, or a head's output turned NHWC.</summary>
internal sealed record TransposeOp(string Name, Value Input, Value Output, int[] Perm) : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => [Input];
    /// <inheritdoc/>
    public override string OpType => "Transpose";
}
