using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/channel_shuffle.comp: ShuffleNet's channel shuffle as a gather, NCHW in and out.</summary>
internal static class ChannelShuffleKernel
{
    /// <summary>shaders/channel_shuffle.comp.</summary>
    public static readonly KernelId<ChannelShuffleConstants> Id = new("channel_shuffle");

    public static KernelDispatch Plan(ChannelShuffleOp op, KernelContext ctx)
    {
        var s = op.Input.Shape;
        var spec = new ChannelShuffleConstants(KernelContext.WorkgroupSize, s.C, s.H * s.W, op.Groups);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(s.Elements, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/channel_shuffle.comp, in constant_id order.</summary>
internal readonly record struct ChannelShuffleConstants(int LocalSize, int C, int Plane, int Groups) : ISpecConstants;
