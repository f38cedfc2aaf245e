using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/resize.comp: nearest or bilinear resize, NCHW in and out, or NC4HW4 in and out (a channel quad per
/// invocation, one texel per tap).</summary>
internal static class ResizeKernel
{
    /// <summary>shaders/resize.comp.</summary>
    public static readonly KernelId<ResizeConstants> Id = new("resize");

    public static KernelDispatch Plan(ResizeOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        bool packed = op.Input.Layout == Graph.TensorLayout.Nc4hw4;
        if (packed && (i.C % 4 != 0 || !ctx.TexelsReach(op.Input)))
            throw new NotSupportedException($"{op}: the packed resize reads whole channel quads within the texel view, not {op.Input}");
        var spec = new ResizeConstants(
            KernelContext.WorkgroupSize, i.C, i.H, i.W, o.H, o.W, op.Linear, op.Coordinates, op.Nearest,
            BitConverter.SingleToInt32Bits(op.ScaleH), BitConverter.SingleToInt32Bits(op.ScaleW), packed);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)(packed ? o.C / 4 : o.C), (uint)ctx.Batch),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/resize.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct ResizeConstants(
    int LocalSize, int C, int InH, int InW, int OutH, int OutW, GlslBool Linear, Graph.Ops.ResizeCoordinates Coord,
    Graph.Ops.ResizeNearest Nearest, int ScaleHBits, int ScaleWBits, GlslBool Packed = default) : ISpecConstants;
