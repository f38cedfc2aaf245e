using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/depthwise_conv.comp: one filter per channel, stride 1 or 2, any kernel size.</summary>
internal static class DepthwiseConvKernel
{
    public const string Shader = "depthwise_conv";

    public static KernelDispatch Plan(Conv2dOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        int[] spec =
        [
            KernelContext.WorkgroupSize, i.C, i.H, i.W, o.H, o.W, op.KernelH, op.KernelW, op.StrideH, op.StrideW,
            op.Pad.Top, op.Pad.Left, KernelContext.Flag(op.Bias is not null), (int)op.Activation, KernelContext.Flag(op.Residual is not null),
        ];
        return ConvDispatch.Create(op, ctx, Shader, spec, (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)o.C, (uint)ctx.Batch));
    }
}
