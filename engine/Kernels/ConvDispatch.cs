using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Kernels;

/// <summary>The push constants and memory ranges shared by the three convolution kernels.</summary>
internal static class ConvDispatch
{
    public static KernelDispatch Create<TConstants>(Conv2dOp op, KernelContext ctx, KernelId<TConstants> kernel, TConstants spec, (uint, uint, uint) groups)
        where TConstants : unmanaged, ISpecConstants
    {
        var reads = Reads(op.Input, op.Residual, ctx);
        var push = new PushOffsets(ctx.Offset(op.Input), op.Residual is null ? 0 : ctx.Offset(op.Residual),
            ctx.Offset(op.Output), ctx.AddWeights(op.Weights), ctx.AddWeights(op.Bias));
        return KernelDispatch.Create(op.Name, kernel, spec, push, groups, reads, [ctx.Bytes(op.Output)]);
    }

    /// <summary>The arena bytes a convolution reads: its input, and its residual when it has one.</summary>
    public static ByteRange[] Reads(GpuMobileNet.Graph.Value input, GpuMobileNet.Graph.Value? residual, KernelContext ctx) =>
        residual is null ? [ctx.Bytes(input)] : [ctx.Bytes(input), ctx.Bytes(residual)];
}
