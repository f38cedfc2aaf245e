using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/conv_transpose.comp: transposed convolution, NCHW in and out, one invocation per output value.</summary>
internal static class ConvTransposeKernel
{
    /// <summary>shaders/conv_transpose.comp.</summary>
    public static readonly KernelId<ConvTransposeConstants> Id = new("conv_transpose");

    /// <summary>The single dispatch that runs <paramref name="op"/>.</summary>
    public static KernelDispatch Plan(ConvTransposeOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        var spec = new ConvTransposeConstants(
            KernelContext.WorkgroupSize, i.C, i.H, i.W, o.C, o.H, o.W, op.KernelH, op.KernelW, op.StrideH, op.StrideW,
            op.DilationH, op.DilationW, op.PadTop, op.PadLeft, op.Groups, op.Bias is not null, op.Activation);
        var push = new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), ctx.AddWeights(op.Weights), ctx.AddWeights(op.Bias));
        return KernelDispatch.Create(op.Name, Id, spec, push, (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)o.C, (uint)ctx.Batch),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/conv_transpose.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct ConvTransposeConstants(
    int LocalSize, int InC, int InH, int InW, int OutC, int OutH, int OutW, int Kh, int Kw, int Sh, int Sw, int Dh, int Dw,
    int PadT, int PadL, int Groups, GlslBool HasBias, Graph.Activation Act) : ISpecConstants;
