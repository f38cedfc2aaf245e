using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/channel_shuffle.comp: ShuffleNet's channel shuffle as a gather, NCHW in and out.</summary>
internal static class ChannelShuffleKernel
{
    public const string Shader = "channel_shuffle";

    public static KernelDispatch Plan(ChannelShuffleOp op, KernelContext ctx)
    {
        var s = op.Input.Shape;
        int[] spec = [KernelContext.WorkgroupSize, s.C, s.H * s.W, op.Groups];
        return new KernelDispatch(op.Name, Shader, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(s.Elements, KernelContext.WorkgroupSize), (uint)ctx.Batch, 1),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}
