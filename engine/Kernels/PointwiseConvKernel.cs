using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/pointwise_conv.comp: 1x1 convolution with fused bias, activation and residual add.</summary>
internal static class PointwiseConvKernel
{
    public const string Shader = "pointwise_conv";

    /// <summary>Output channels per invocation: each input value loaded feeds this many multiply-adds.</summary>
    public const int OutputChannelTile = 8;

    public static KernelDispatch Plan(Conv2dOp op, KernelContext ctx)
    {
        var o = op.Output.Shape;
        int hw = o.H * o.W;
        int[] spec =
        [
            KernelContext.WorkgroupSize, op.InC, o.C, hw, KernelContext.Flag(op.Bias is not null), (int)op.Activation,
            KernelContext.Flag(op.Residual is not null), OutputChannelTile,
        ];
        var groups = (KernelContext.Groups(hw, KernelContext.WorkgroupSize), KernelContext.Groups(o.C, OutputChannelTile), (uint)ctx.Batch);
        return ConvDispatch.Create(op, ctx, Shader, spec, groups);
    }
}
