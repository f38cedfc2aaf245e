using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/max_pool.comp: max pooling, NCHW in and out, or NC4HW4 in and out (4 channels x
/// <see cref="PackedPixelsPerInvocation"/> pixels of a row per invocation).</summary>
internal static class MaxPoolKernel
{
    /// <summary>shaders/max_pool.comp.</summary>
    public static readonly KernelId<MaxPoolConstants> Id = new("max_pool");

    /// <summary>Output pixels of a row per invocation on packed tensors. Measured on lavapipe (ShuffleNetV2's 24 x
    /// 112 x 112 -> 56 x 56 pool, 3x3 stride 2, 3 interleaved rounds on the shared 2-core machine; docs/measurements.md,
    /// "Depthwise, stem and max pool on lavapipe"): one pixel per invocation with window loops bounded by the image
    /// 0.59 / 0.94 / 0.98 ms median (0.47-0.58 min); 4 pixels sharing their clamped column loads 0.41 / 0.41 / 0.43
    /// (0.22-0.35).</summary>
    public const int PackedPixelsPerInvocation = 4;

    public static KernelDispatch Plan(MaxPoolOp op, KernelContext ctx)
    {
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        bool packed = op.Input.Layout == Graph.TensorLayout.Nc4hw4;
        int px = packed ? Math.Min(PackedPixelsPerInvocation, o.W) : 1;
        int work = o.H * ((o.W + px - 1) / px);
        var spec = new MaxPoolConstants(
            KernelContext.WorkgroupSize, i.C, i.H, i.W, o.H, o.W, op.KernelH, op.KernelW, op.StrideH, op.StrideW,
            op.Pad.Top, op.Pad.Left, packed, px);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(op.Output), 0, 0),
            (KernelContext.Groups(work, KernelContext.WorkgroupSize), (uint)(packed ? o.C / 4 : o.C), (uint)ctx.Batch),
            [ctx.Bytes(op.Input)], [ctx.Bytes(op.Output)]);
    }
}

/// <summary>The specialisation constants of shaders/max_pool.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct MaxPoolConstants(
    int LocalSize, int C, int InH, int InW, int OutH, int OutW, int Kh, int Kw, int Sh, int Sw, int PadT,
    int PadL, GlslBool Packed = default, int Px = 1) : ISpecConstants;
