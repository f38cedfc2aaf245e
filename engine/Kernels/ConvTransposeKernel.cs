using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/conv_transpose.comp: transposed convolution, NCHW in and out, one invocation per output value.</summary>
public static class ConvTransposeKernel
{
    /// <summary>The kernel's shader name.</summary>
    public const string Shader = "conv_transpose";

    /// <summary>The single dispatch that runs <paramref name="op"/>.</summary>
    public static KernelDispatch Plan(ConvTransposeOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        int[] spec =
        [
            KernelContext.WorkgroupSize, i.C, i.H, i.W, o.C, o.H, o.W, op.KernelH, op.KernelW, op.StrideH, op.StrideW,
            op.DilationH, op.DilationW, op.PadTop, op.PadLeft, op.Groups, KernelContext.Flag(op.Bias is not null),
        ];
        var push = new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), ctx.AddWeights(op.Weights), ctx.AddWeights(op.Bias));
        return new KernelDispatch(op.Name, Shader, spec, push, (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)o.C, (uint)ctx.Batch),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}
