using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/resize.comp: nearest or bilinear resize, NCHW in and out.</summary>
public static class ResizeKernel
{
    /// <summary>shaders/resize.comp.</summary>
    public static readonly KernelId<ResizeConstants> Id = new("resize");

    public static KernelDispatch Plan(ResizeOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        var spec = new ResizeConstants(
            KernelContext.WorkgroupSize, i.C, i.H, i.W, o.H, o.W, op.Linear, op.Coordinates, op.Nearest,
            BitConverter.SingleToInt32Bits(op.ScaleH), BitConverter.SingleToInt32Bits(op.ScaleW));
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)o.C, (uint)ctx.Batch),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/resize.comp, in constant_id order (named as the shader names them).</summary>
public readonly record struct ResizeConstants(
    int LocalSize, int C, int InH, int InW, int OutH, int OutW, GlslBool Linear, Graph.Ops.ResizeCoordinates Coord,
    Graph.Ops.ResizeNearest Nearest, int ScaleHBits, int ScaleWBits) : ISpecConstants;
