using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/conv2d.comp: direct convolution for the convs that are neither depthwise nor 1x1 (the stem).</summary>
internal static class Conv2dKernel
{
    public const string Shader = "conv2d";

    public static KernelDispatch Plan(Conv2dOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        int[] spec =
        [
            KernelContext.WorkgroupSize, i.C, i.H, i.W, o.C, o.H, o.W, op.KernelH, op.KernelW, op.StrideH, op.StrideW,
            op.Pad.Top, op.Pad.Left, op.Groups, KernelContext.Flag(op.Bias is not null), (int)op.Activation,
            KernelContext.Flag(op.Residual is not null),
        ];
        return ConvDispatch.Create(op, ctx, Shader, spec, (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)o.C, (uint)ctx.Batch));
    }
}
