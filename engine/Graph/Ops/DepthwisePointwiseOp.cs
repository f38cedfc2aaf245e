namespace GpuMobileNet.Graph.Ops;

/// <summary>A channel-packed depthwise convolution and the packed 1x1 convolution that alone reads it, run as one
/// dispatch that keeps the depthwise values in registers (<see cref="Kernels.DepthwisePointwisePackedKernel"/>). Made
/// by <see cref="Passes.FusePackedDepthwisePointwise"/> after packing, where the kernel's cost model says it pays; the
/// parts keep their own values (the depthwise output is not part of the graph) and the 1x1 its bias, activation and
/// residual.</summary>
internal sealed record DepthwisePointwiseOp(string Name, Value Input, Value Output, Conv2dOp Depthwise, Conv2dOp Pointwise)
    : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => Pointwise.Residual is null ? [Input] : [Input, Pointwise.Residual];

    /// <inheritdoc/>
    public override string OpType => "DepthwisePointwise";

    /// <summary>The parts in execution order.</summary>
    public IEnumerable<Conv2dOp> Parts => [Depthwise, Pointwise];
}
