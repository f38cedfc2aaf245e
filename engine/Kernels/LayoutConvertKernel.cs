using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/layout_convert.comp: packs an NCHW tensor into NC4HW4 or unpacks it back, dropping the padding
/// channels of a tensor padded to whole quads (<see cref="LayoutConvertOp.DropsPadding"/>).</summary>
internal static class LayoutConvertKernel
{
    /// <summary>shaders/layout_convert.comp.</summary>
    public static readonly KernelId<LayoutConvertConstants> Id = new("layout_convert");

    /// <exception cref="NotSupportedException">The op changes the shape (but for dropping padding), keeps the layout, or
    /// has a channel count that is not a multiple of 4 (the message names the op and both values).</exception>
    public static KernelDispatch Plan(LayoutConvertOp op, KernelContext ctx)
    {
        var s = op.Input.Shape;
        if (s != op.Output.Shape && !op.DropsPadding || op.Input.Layout == op.Output.Layout || s.C % 4 != 0)
            throw new NotSupportedException(
                $"{op}: cannot convert {op.Input} to {op.Output}: needs the same shape, another layout and a channel count that is a multiple of 4");
        int hw = s.H * s.W;
        int local = KernelContext.LocalSizeFor(hw);
        var spec = new LayoutConvertConstants(local, s.C, hw, op.Output.Layout == TensorLayout.Nc4hw4, op.Output.Shape.C);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(hw, local), (uint)(s.C / 4), (uint)ctx.Batch), [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/layout_convert.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct LayoutConvertConstants(int LocalSize, int C, int Hw, GlslBool ToPacked, int PlanarC) : ISpecConstants;
