using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/conv2d.comp: direct convolution for the convs that are neither depthwise nor 1x1 (the stem).</summary>
public static class Conv2dKernel
{
    /// <summary>shaders/conv2d.comp.</summary>
    public static readonly KernelId<Conv2dConstants> Id = new("conv2d");

    public static KernelDispatch Plan(Conv2dOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        var spec = new Conv2dConstants(
            KernelContext.WorkgroupSize, i.C, i.H, i.W, o.C, o.H, o.W, op.KernelH, op.KernelW, op.StrideH, op.StrideW,
            op.Pad.Top, op.Pad.Left, op.Groups, op.Bias is not null, op.Activation, op.Residual is not null);
        return ConvDispatch.Create(op, ctx, Id, spec, (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)o.C, (uint)ctx.Batch));
    }
}

/// <summary>The specialisation constants of shaders/conv2d.comp, in constant_id order (named as the shader names them).</summary>
public readonly record struct Conv2dConstants(
    int LocalSize, int InC, int InH, int InW, int OutC, int OutH, int OutW, int Kh, int Kw, int Sh, int Sw, int PadT,
    int PadL, int Groups, GlslBool HasBias, Graph.Activation Act, GlslBool HasResidual) : ISpecConstants;
