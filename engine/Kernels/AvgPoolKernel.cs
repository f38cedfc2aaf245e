using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/avg_pool.comp: average pooling, global pooling as the special case of a full-size kernel; the
/// input may be channel-packed (NC4HW4), the output is planar (for a global pool, C x 1 x 1, the same bytes as
/// NC4HW4).</summary>
internal static class AvgPoolKernel
{
    /// <summary>shaders/avg_pool.comp.</summary>
    public static readonly KernelId<AvgPoolConstants> Id = new("avg_pool");

    public static KernelDispatch Plan(AvgPoolOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        var spec = new AvgPoolConstants(
            KernelContext.WorkgroupSize, i.C, i.H, i.W, o.H, o.W, op.KernelH, op.KernelW, op.StrideH, op.StrideW, op.Pad.Top,
            op.Pad.Left, op.Input.Layout == Graph.TensorLayout.Nc4hw4);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            // One output pixel (a global pool): the shader takes x as the channel, so workgroups are full.
            o.H * o.W == 1
                ? (KernelContext.Groups(o.C, KernelContext.WorkgroupSize), 1u, (uint)ctx.Batch)
                : (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)o.C, (uint)ctx.Batch),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/avg_pool.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct AvgPoolConstants(
    int LocalSize, int C, int InH, int InW, int OutH, int OutW, int Kh, int Kw, int Sh, int Sw, int PadT, int PadL,
    GlslBool InPacked) : ISpecConstants;
