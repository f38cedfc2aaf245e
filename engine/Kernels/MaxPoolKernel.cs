using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/max_pool.comp: max pooling, NCHW in and out.</summary>
internal static class MaxPoolKernel
{
    public const string Shader = "max_pool";

    public static KernelDispatch Plan(MaxPoolOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        int[] spec = [KernelContext.WorkgroupSize, i.C, i.H, i.W, o.H, o.W, op.KernelH, op.KernelW, op.StrideH, op.StrideW, op.Pad.Top, op.Pad.Left];
        return new KernelDispatch(op.Name, Shader, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)o.C, (uint)ctx.Batch),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}
