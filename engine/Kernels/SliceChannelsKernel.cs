using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/channel_slice.comp: copies a channel range, NCHW in and out.</summary>
public static class SliceChannelsKernel
{
    /// <summary>shaders/channel_slice.comp.</summary>
    public static readonly KernelId<SliceChannelsConstants> Id = new("channel_slice");

    public static KernelDispatch Plan(SliceChannelsOp op, KernelContext ctx)
    {
        var o = op.Output.Shape;
        int plane = o.H * o.W, count = o.Elements;
        var spec = new SliceChannelsConstants(KernelContext.WorkgroupSize, count, op.Input.Shape.Elements);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.Input) + (uint)(op.First * plane), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(count, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/channel_slice.comp, in constant_id order (named as the shader names them).</summary>
public readonly record struct SliceChannelsConstants(int LocalSize, int Count, int InStride) : ISpecConstants;
