using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/pad.comp: zero padding (when the pad-folding pass is off or cannot fold).</summary>
internal static class PadKernel
{
    public const string Shader = "pad";

    public static KernelDispatch Plan(PadOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        int[] spec = [KernelContext.WorkgroupSize, i.C, i.H, i.W, o.H, o.W, op.Pad.Top, op.Pad.Left];
        return new KernelDispatch(op.Name, Shader, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)o.C, (uint)ctx.Batch),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}
