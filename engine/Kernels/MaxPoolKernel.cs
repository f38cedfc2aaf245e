using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/max_pool.comp: max pooling, NCHW in and out, or NC4HW4 in and out (4 channels per invocation).</summary>
internal static class MaxPoolKernel
{
    /// <summary>shaders/max_pool.comp.</summary>
    public static readonly KernelId<MaxPoolConstants> Id = new("max_pool");

    public static KernelDispatch Plan(MaxPoolOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        bool packed = op.Input.Layout == Graph.TensorLayout.Nc4hw4;
        var spec = new MaxPoolConstants(
            KernelContext.WorkgroupSize, i.C, i.H, i.W, o.H, o.W, op.KernelH, op.KernelW, op.StrideH, op.StrideW,
            op.Pad.Top, op.Pad.Left, packed);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)(packed ? o.C / 4 : o.C), (uint)ctx.Batch),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/max_pool.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct MaxPoolConstants(
    int LocalSize, int C, int InH, int InW, int OutH, int OutW, int Kh, int Kw, int Sh, int Sw, int PadT,
    int PadL, GlslBool Packed = default) : ISpecConstants;
