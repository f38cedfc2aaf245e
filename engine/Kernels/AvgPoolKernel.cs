using GpuMobileNet.Graph.Ops;

namespace GpuMobileNet.Kernels;

/// <summary>shaders/avg_pool.comp: average pooling, global pooling as the special case of a full-size kernel; the
/// input may be channel-packed (NC4HW4), and the output too when the input is (one invocation per pixel and 4
/// channels); a global pool's C x 1 x 1 output is the same bytes in both layouts.</summary>
internal static class AvgPoolKernel
{
    /// <summary>shaders/avg_pool.comp.</summary>
    public static readonly KernelId<AvgPoolConstants> Id = new("avg_pool");

    /// <summary>The dispatch for <paramref name="op"/>, writing <paramref name="stored"/> (the tensor that holds its output:
    /// its own, or the concatenation <see cref="ConcatPartWriteKernel"/> writes it into) at that tensor's offset.</summary>
    public static KernelDispatch Plan(AvgPoolOp op, KernelContext ctx, Graph.Value? stored = null)
    {
        stored ??= op.Output;
        var i = op.Input.Shape;
        var o = op.Output.Shape;
        // A global pool of a packed input into its own C x 1 x 1 output, the same bytes in both layouts, sums quads
        // (texel loads) whatever the output's label: by scalar loads at packed addresses SqueezeNet's 1000-channel pool
        // took longer than its last convolution on lavapipe.
        bool outPacked = op.Output.Layout == Graph.TensorLayout.Nc4hw4 ||
            op.Input.Layout == Graph.TensorLayout.Nc4hw4 && KernelCapabilities.SameInBothLayouts(op.Output) && stored == op.Output;
        // The shader takes its quad path for every such pool (GLOBAL_QUADS), a concatenation part's too (its stride is
        // OUT_STRIDE_C), so the dispatch is shaped for that path whatever tensor it writes.
        if (ReducesQuads(op)) return PlanGlobalQuads(op, ctx, stored, outPacked);
        var spec = new AvgPoolConstants(
            KernelContext.WorkgroupSize, i.C, i.H, i.W, o.H, o.W, op.KernelH, op.KernelW, op.StrideH, op.StrideW, op.Pad.Top,
            op.Pad.Left, op.Input.Layout == Graph.TensorLayout.Nc4hw4, outPacked);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(stored), 0, 0),
            // One output pixel (a global pool): the shader takes x as the channel (quad), so workgroups are full.
            o.H * o.W == 1
                ? (KernelContext.Groups(outPacked ? o.C / 4 : o.C, KernelContext.WorkgroupSize), 1u, (uint)ctx.Batch)
                : (KernelContext.Groups(o.H * o.W, KernelContext.WorkgroupSize), (uint)(outPacked ? o.C / 4 : o.C), (uint)ctx.Batch),
            [ctx.Bytes(op.Input)], [ctx.Bytes(stored)]);
    }

    /// <summary>Whether the shader pools <paramref name="op"/> one invocation per channel quad (its GLOBAL_QUADS): a global
    /// pool of a packed input, the window the whole unpadded plane.</summary>
    public static bool ReducesQuads(AvgPoolOp op) =>
        op.Input.Layout == Graph.TensorLayout.Nc4hw4 && op.Output.Shape.H * op.Output.Shape.W == 1 &&
        op.KernelH == op.Input.Shape.H && op.KernelW == op.Input.Shape.W && op.Pad.IsZero;

    /// <summary>Invocations a workgroup of the global quad pool: a subgroup on lavapipe, so EfficientNet-B0's 24 to 36
    /// quads of its large planes make 3 to 5 workgroups for the 2 threads.</summary>
    public const int QuadsPerWorkgroup = 8;

    private static KernelDispatch PlanGlobalQuads(AvgPoolOp op, KernelContext ctx, Graph.Value stored, bool outPacked)
    {
        ctx.RequireTexels(op, 0, 0);
        var i = op.Input.Shape;
        var spec = new AvgPoolConstants(QuadsPerWorkgroup, i.C, i.H, i.W, 1, 1, op.KernelH, op.KernelW,
            op.StrideH, op.StrideW, 0, 0, InPacked: true, OutPacked: outPacked);
        return KernelDispatch.Create(op.Name, Id, spec, new PushOffsets(ctx.Offset(op.Input), 0, ctx.Offset(stored), 0, 0),
            (KernelContext.Groups(i.C / 4, QuadsPerWorkgroup), 1u, (uint)ctx.Batch), [ctx.Bytes(op.Input)], [ctx.Bytes(stored)]);
    }
}

/// <summary>The specialisation constants of shaders/avg_pool.comp, in constant_id order (named as the shader names them).</summary>
internal readonly record struct AvgPoolConstants(
    int LocalSize, int C, int InH, int InW, int OutH, int OutW, int Kh, int Kw, int Sh, int Sw, int PadT, int PadL,
    GlslBool InPacked, GlslBool OutPacked = default, int OutStrideC = 0) : ISpecConstants;
