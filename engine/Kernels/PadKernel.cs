using GpuMobileNet.Graph;
using GpuMobileNet.Graph.Ops;
using GpuMobileNet.Tensors;
using GpuMobileNet.Vulkan;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/pad.comp: zero padding (when the pad-folding pass is off or cannot fold), NCHW or NC4HW4 (a texel an
/// invocation); also a padded packed 1x1 convolution's input, padded into its scratch (<see cref="PaddedPointwiseConvKernel"/>).</summary>
internal static class PadKernel
{
    /// <summary>shaders/pad.comp.</summary>
    public static readonly KernelId<PadConstants> Id = new("pad");

    public static KernelDispatch Plan(PadOp op, KernelContext ctx) =>
        Plan(op.Name, op.Input.Shape, op.Pad, op.Input.Layout == TensorLayout.Nc4hw4, ctx, ctx.Offset(op.Input), ctx.Offset(op.Output),
            ctx.Bytes(op.Input), ctx.Bytes(op.Output));

    /// <summary>The dispatch padding <paramref name="input"/> by <paramref name="pad"/> from element <paramref name="from"/>
    /// to element <paramref name="to"/> of the arena.</summary>
    public static KernelDispatch Plan(string label, TensorShape input, Padding pad, bool packed, KernelContext ctx, uint from, uint to,
        ByteRange reads, ByteRange writes)
    {
        if (packed && input.C % 4 != 0)
            throw new NotSupportedException($"{label}: packed padding needs whole channel quads, not {input.C} channels");
        var o = Padded(input, pad);
        var spec = new PadConstants(KernelContext.WorkgroupSize, input.C, input.H, input.W, o.H, o.W, pad.Top, pad.Left, packed);
        return KernelDispatch.Create(label, Id, spec, new PushOffsets(from, 0, to, 0, 0),
            (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)(packed ? o.C / 4 : o.C), (uint)ctx.Batch), [reads], [writes]);
    }

    /// <summary>The shape of <paramref name="input"/> padded by <paramref name="pad"/>.</summary>
    public static TensorShape Padded(TensorShape input, Padding pad) =>
        new(input.C, input.H + pad.Top + pad.Bottom, input.W + pad.Left + pad.Right);
}

/// <summary>The specialisation constants of shaders/pad.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct PadConstants(
    int LocalSize, int C, int InH, int InW, int OutH, int OutW, int PadT, int PadL, GlslBool Packed = default) : ISpecConstants;
