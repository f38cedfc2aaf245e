using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/depthwise_conv.comp: one filter per channel, stride 1 or 2, any kernel size.</summary>
public static class DepthwiseConvKernel
{
    /// <summary>shaders/depthwise_conv.comp.</summary>
    public static readonly KernelId<DepthwiseConvConstants> Id = new("depthwise_conv");

    public static KernelDispatch Plan(Conv2dOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        var spec = new DepthwiseConvConstants(
            KernelContext.WorkgroupSize, i.C, i.H, i.W, o.H, o.W, op.KernelH, op.KernelW, op.StrideH, op.StrideW,
            op.Pad.Top, op.Pad.Left, op.Bias is not null, op.Activation, op.Residual is not null);
        return ConvDispatch.Create(op, ctx, Id, spec, (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)o.C, (uint)ctx.Batch));
    }
}

/// <summary>The specialisation constants of shaders/depthwise_conv.comp, in constant_id order (named as the shader names them).</summary>
public readonly record struct DepthwiseConvConstants(
    int LocalSize, int C, int InH, int InW, int OutH, int OutW, int Kh, int Kw, int Sh, int Sw, int PadT, int PadL,
    GlslBool HasBias, Graph.Activation Act, GlslBool HasResidual) : ISpecConstants;
