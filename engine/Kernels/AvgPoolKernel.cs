using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/avg_pool.comp: average pooling, global pooling as the special case of a full-size kernel; the
/// input may be channel-packed (NC4HW4), the output is planar.</summary>
internal static class AvgPoolKernel
{
    public const string Shader = "avg_pool";

    public static KernelDispatch Plan(AvgPoolOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        int[] spec = [KernelContext.WorkgroupSize, i.C, i.H, i.W, o.H, o.W, op.KernelH, op.KernelW, op.StrideH, op.StrideW, op.Pad.Top, op.Pad.Left,
            KernelContext.Flag(op.Input.Layout == Graph.TensorLayout.Nc4hw4)];
        return new KernelDispatch(op.Name, Shader, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)o.C, (uint)ctx.Batch),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}
