using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/resize.comp: nearest or bilinear resize, NCHW in and out.</summary>
internal static class ResizeKernel
{
    public const string Shader = "resize";

    public static KernelDispatch Plan(ResizeOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        int[] spec = [KernelContext.WorkgroupSize, i.C, i.H, i.W, o.H, o.W, KernelContext.Flag(op.Linear), (int)op.Coordinates, (int)op.Nearest,
            BitConverter.SingleToInt32Bits(op.ScaleH), BitConverter.SingleToInt32Bits(op.ScaleW)];
        return new KernelDispatch(op.Name, Shader, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)o.C, (uint)ctx.Batch),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}
