namespace GpuMobileNet.Graph.Ops;

/// <summary>A depthwise-separable block run as one op: optional 1x1 Expand → Depthwise → 1x1 Project (with the
/// project's own residual, activation and bias). Made by the dw+pw and inverted-residual fusion passes, where
/// <see cref="Kernels.KernelCapabilities.CanFuseBlock"/> says the fused kernel runs the parts, so the GPU keeps the
/// expanded and depthwise tensors on chip. The inner ops keep their own intermediate values, which are not part of
/// the graph; how the kernel tiles the block is the kernel's business (<see cref="Kernels.FusedBlockKernel"/>).</summary>
public sealed record FusedBlockOp(string Name, Value Input, Value Output, Conv2dOp? Expand, Conv2dOp Depthwise, Conv2dOp Project)
    : Node(Name, Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<Value> Inputs => Project.Residual is null ? [Input] : [Input, Project.Residual];

    /// <inheritdoc/>
    public override string OpType => Expand is null ? "FusedDwPw" : "FusedInvertedResidual";

    /// <summary>The inner ops in execution order.</summary>
    public IEnumerable<Conv2dOp> Parts => Expand is null ? [Depthwise, Project] : [Expand, Depthwise, Project];

    /// <summary>Channels between the expand and the project (the depthwise's).</summary>
    public int ExpandedChannels => Depthwise.InC;
}
