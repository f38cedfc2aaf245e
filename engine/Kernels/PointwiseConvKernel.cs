using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/pointwise_conv.comp: 1x1 convolution with fused bias, activation and residual add.</summary>
public static class PointwiseConvKernel
{
    /// <summary>shaders/pointwise_conv.comp.</summary>
    public static readonly KernelId<PointwiseConvConstants> Id = new("pointwise_conv");

    /// <summary>Output channels per invocation: each input value loaded feeds this many multiply-adds.</summary>
    public const int OutputChannelTile = 8;

    public static KernelDispatch Plan(Conv2dOp op, KernelContext ctx)
    {
        var o = op.Output.Shape;
        int hw = o.H * o.W;
        var spec = new PointwiseConvConstants(
            KernelContext.WorkgroupSize, op.InC, o.C, hw, op.Bias is not null, op.Activation, op.Residual is not null,
            OutputChannelTile);
        var groups = (KernelContext.Groups(hw, KernelContext.WorkgroupSize), KernelContext.Groups(o.C, OutputChannelTile), (uint)ctx.Batch);
        return ConvDispatch.Create(op, ctx, Id, spec, groups);
    }
}

/// <summary>The specialisation constants of shaders/pointwise_conv.comp, in constant_id order (named as the shader names them).</summary>
public readonly record struct PointwiseConvConstants(
    int LocalSize, int InC, int OutC, int Hw, GlslBool HasBias, Graph.Activation Act, GlslBool HasResidual,
    int OcTile) : ISpecConstants;
