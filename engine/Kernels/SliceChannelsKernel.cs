using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/channel_slice.comp: copies a channel range, NCHW in and out.</summary>
internal static class SliceChannelsKernel
{
    public const string Shader = "channel_slice";

    public static KernelDispatch Plan(SliceChannelsOp op, KernelContext ctx)
    {
        var o = op.Output.Shape;
        int plane = o.H * o.W, count = o.Elements;
        int[] spec = [KernelContext.WorkgroupSize, count, op.Input.Shape.Elements];
        return new KernelDispatch(op.Name, Shader, spec, new PushOffsets(ctx.Offset(op.Input) + (uint)(op.First * plane), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}
